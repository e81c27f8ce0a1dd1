"""Chinese names found by pinyin and initials ("zs" finds 张三, "zhangs" finds 张三).

Stored columns (full pinyin, initials) with prefix indexes, because trigram indexes do not
help two-character names. Surnames with special readings use their surname reading.
"""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Q
from pypinyin import Style, lazy_pinyin

# Surname readings that differ from the character's common reading.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "种": "chong",
    "繁": "po",
    "员": "yun",
    "秘": "bi",
    "句": "gou",
    "缪": "miao",
    "翟": "zhai",
    "折": "she",
    "召": "shao",
    "尉": "yu",
    "长": "chang",
    "重": "chong",
    "宿": "su",
    "沈": "shen",
    "任": "ren",
    "华": "hua",
    "过": "guo",
    "纪": "ji",
    "厍": "she",
    "佴": "nai",
    "隗": "wei",
    "眭": "sui",
    "蕃": "pi",
    "谌": "chen",
    "黑": "he",
    "能": "nai",
}
COMPOUND_SURNAMES = {
    "欧阳": ["ou", "yang"],
    "司马": ["si", "ma"],
    "上官": ["shang", "guan"],
    "诸葛": ["zhu", "ge"],
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "长孙": ["zhang", "sun"],
    "单于": ["chan", "yu"],
    "令狐": ["ling", "hu"],
    "皇甫": ["huang", "fu"],
    "东方": ["dong", "fang"],
    "慕容": ["mu", "rong"],
    "司徒": ["si", "tu"],
    "夏侯": ["xia", "hou"],
    "公孙": ["gong", "sun"],
}


def _plain(text: str) -> list[str]:
    return lazy_pinyin(text, style=Style.NORMAL, errors="ignore")


def _syllables(name: str) -> list[str]:
    name = (name or "").strip()
    if not name:
        return []
    surname = name[:2]
    if surname in COMPOUND_SURNAMES:
        head, rest = COMPOUND_SURNAMES[surname], name[2:]
    elif name[0] in SURNAME_READINGS:
        head, rest = [SURNAME_READINGS[name[0]]], name[1:]
    else:
        head, rest = [], name
    return [s.lower() for s in head + _plain(rest) if s]


@lru_cache(maxsize=65536)  # imports and bulk loads repeat names a lot
def pinyin_of(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case, no spaces: 张三 → ("zhangsan", "zs")."""
    syllables = _syllables(name)
    return "".join(syllables)[:200], "".join(s[0] for s in syllables)[:50]


def is_latin_query(text: str) -> bool:
    return bool(text) and text.isascii() and text.replace(" ", "").isalpha()


def name_query(text: str, name_field: str, pinyin_field: str, initials_field: str) -> Q:
    """A Q matching ``text`` against a name: Chinese by prefix/containment, Latin by pinyin."""
    text = text.strip()
    if is_latin_query(text):
        latin = text.replace(" ", "").lower()
        # Initials and pinyin both begin with the first syllable's first letter, so every
        # match lies in that letter's range of the pinyin column. Said explicitly, the list's
        # pinyin-ordered index walks that range only: a rare pair of initials ("rz") among
        # 340 000 people no longer walks every name before "r" (278 ms → a few ms).
        letter = latin[0]
        in_range = Q(
            **{f"{pinyin_field}__gte": letter, f"{pinyin_field}__lt": chr(ord(letter) + 1)}
        )
        return in_range & (
            Q(**{f"{initials_field}__startswith": latin})
            | Q(**{f"{pinyin_field}__startswith": latin})
        )
    # By how the name begins ("张" finds 张三), so the prefix index serves it at any scale.
    return Q(**{f"{name_field}__startswith": text})
