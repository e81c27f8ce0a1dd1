"""Pinyin of Chinese names, with surname readings, for search."""

import pytest

from dangjian.platform.pinyin_search import is_latin_query, pinyin_of


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("单雄信", "shanxiongxin", "sxx"),
        ("曾小贤", "zengxiaoxian", "zxx"),
        ("欧阳修", "ouyangxiu", "oyx"),
        ("", "", ""),
    ],
)
def test_names_get_full_pinyin_and_initials(name, full, initials):
    assert pinyin_of(name) == (full, initials)


def test_latin_queries_are_recognised():
    assert is_latin_query("zs")
    assert is_latin_query("zhang san")
    assert not is_latin_query("张三")
    assert not is_latin_query("138")
