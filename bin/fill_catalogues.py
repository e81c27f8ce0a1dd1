"""Complete the zh_Hans catalogue (msgstr = msgid) and keep the English one honest.

The English ``.po`` is the source of truth for English: its translations survive
``makemessages``. EN below only seeds entries that are still empty; it never overwrites a
translation. An English entry that msgmerge marked fuzzy (a guess from a similar msgid) keeps
its flag, so it is neither compiled nor counted as done until someone translates it.
"""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "src/dangjian/locale"
EN = {
    "首页": "Home",
    "组织与人员": "Organisation and people",
    "单位": "Units",
    "党组织": "Party organisations",
    "人员与党员": "People and members",
    "暖心工程": "Customer service",
    "零售客户": "Retail customers",
    "系统管理": "Administration",
    "角色授权": "Role grants",
    "个人信息访问日志": "Personal data access log",
    "登录": "Log in",
    "退出": "Log out",
    "用户名": "Username",
    "密码": "Password",
    "搜索": "Search",
    "查询": "Search",
    "导出Excel": "Export to Excel",
    "保存": "Save",
    "取消": "Cancel",
    "编辑": "Edit",
    "新增下级": "Add child",
    "移动": "Move",
    "变更历史": "Change history",
    "查看": "Reveal",
    "上一页": "Previous",
    "下一页": "Next",
    "姓名": "Name",
    "性别": "Gender",
    "年龄": "Age",
    "所在单位": "Unit",
    "岗位": "Post",
    "所在支部": "Branch",
    "类别": "Category",
    "手机号码": "Mobile",
    "身份证号": "ID number",
    "许可证号": "Licence no.",
    "店名": "Shop",
    "经营者": "Owner",
    "档位": "Tier",
    "客户经理": "Account manager",
    "党建+中心工作管理平台": "Party Building Plus platform",
    "党员": "Member",
    "预备党员": "Probationary member",
    "正式党员": "Full member",
    "党支部": "Party branch",
    "人员": "People",
    "菜单": "Menu",
    "此项为必填项": "This field is required",
}


def main() -> None:
    zh = LOCALE / "zh_Hans/LC_MESSAGES/django.po"
    if zh.exists():
        po = polib.pofile(str(zh))
        for entry in po:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.metadata["Language"] = "zh_Hans"
        po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
        _set_header(po)
        po.save()
    en = LOCALE / "en/LC_MESSAGES/django.po"
    if en.exists():
        po = polib.pofile(str(en))
        for entry in po:
            if "fuzzy" in entry.flags and entry.msgid in EN:
                entry.flags.remove("fuzzy")
                entry.msgstr = ""
            if not entry.msgstr and not entry.msgid_plural and entry.msgid in EN:
                entry.msgstr = EN[entry.msgid]
        po.metadata["Language"] = "en"
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
        _set_header(po)
        po.save()


def _set_header(po: polib.POFile) -> None:
    po.metadata_is_fuzzy = False
    po.metadata["Project-Id-Version"] = "dangjian"
    po.metadata["PO-Revision-Date"] = po.metadata.get("POT-Creation-Date", "")
    po.metadata["Last-Translator"] = "dangjian"
    po.metadata["Language-Team"] = "dangjian"


if __name__ == "__main__":
    main()
