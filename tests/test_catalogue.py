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


def test_english_catalogue_translates_every_message():
    # English is a real choice, not a shell: bin/messages, then translate what it added.
    po = polib.pofile(str(LOCALE / "en/LC_MESSAGES/django.po"))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_catalogues_are_compiled_by_the_install():
    for language in ("zh_Hans", "en"):
        assert (LOCALE / language / "LC_MESSAGES/django.mo").exists()


def test_english_is_available_for_the_shell():
    with translation.override("en"):
        assert translation.gettext("零售客户") == "Retail customers"
    with translation.override("zh-hans"):
        assert translation.gettext("零售客户") == "零售客户"


def test_an_english_browser_still_gets_chinese(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


def test_english_is_an_explicit_choice(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    response = client.get("/login/")
    assert response["Content-Language"] == "en"
    assert "Log in" in response.content.decode()
