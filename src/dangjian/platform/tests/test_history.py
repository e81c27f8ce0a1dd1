"""Readable change history: who changed which field from what to what; secrets hidden."""

from dangjian.people.models import Person
from dangjian.platform.history import history_rows


def test_a_change_lists_the_field_with_old_and_new_values(cast):
    person = Person.objects.get(pk=cast.people.member.pk)
    person.post = "专卖管理员"
    person._history_user = cast.office
    person.save()
    rows = history_rows(person)
    assert rows[0]["kind"] == "修改"
    assert rows[0]["user"] == cast.office
    assert {"field": "岗位", "old": "客户经理", "new": "专卖管理员"} in rows[0]["changes"]
    assert rows[-1]["kind"] == "创建"


def test_secret_fields_show_only_that_they_changed(cast):
    person = Person.objects.get(pk=cast.people.member.pk)
    old_phone = person.phone
    person.phone = "13700000009"
    person.save()
    rows = history_rows(person, secret_fields=Person.PERSONAL_FIELDS)
    change = next(c for c in rows[0]["changes"] if c["field"] == "手机号码")
    assert "已修改" in change["new"]
    assert old_phone not in str(rows)
    assert "13700000009" not in str(rows)


def test_choice_fields_show_their_labels(cast):
    membership = cast.people.probationary.membership
    membership.status = "full"
    membership.full_member_on = membership.joined_on.replace(year=membership.joined_on.year + 1)
    membership.save()
    change = next(c for c in history_rows(membership)[0]["changes"] if c["field"] == "党员类别")
    assert (change["old"], change["new"]) == ("预备党员", "正式党员")
