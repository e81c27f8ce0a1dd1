"""The Chinese catalogue is complete and compiled at install; English is available."""

from pathlib import Path

import polib
from django.utils import translation

LOCALE = Path(__file__).resolve().parent.parent / "src/dangjian/locale"


def test_chinese_catalogue_translates_every_message():
    po = polib.pofile(str(LOCALE / "zh_Hans/LC_MESSAGES/django.po"))
    assert len(po) > 100
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


def test_catalogues_are_compiled_by_the_install():
    for language in ("zh_Hans", "en"):
        assert (LOCALE / language / "LC_MESSAGES/django.mo").exists()


def test_english_is_available_for_the_shell():
    with translation.override("en"):
        assert translation.gettext("零售客户") == "Retail customers"
    with translation.override("zh-hans"):
        assert translation.gettext("零售客户") == "零售客户"
