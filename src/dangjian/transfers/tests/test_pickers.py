"""The person and branch pickers of the transfer and 流动党员 forms: search, not a list."""

from django.urls import reverse
from django.utils import timezone

from dangjian.transfers.models import MobileMember, Transfer


def test_the_new_letter_form_lists_no_people_and_no_branches(login, cast):
    text = login(cast.secretary).get(reverse("transfers:create")).content.decode()
    assert 'name="person"' not in text.split('name="reason"')[0]  # nothing to choose yet
    assert "李四" not in text and "西山县局党支部" not in text
    assert 'name="person_q"' in text and 'name="to_org_q"' in text


def test_suggestions_find_members_by_pinyin_initials_within_scope(login, cast):
    url = reverse("transfers:suggest", args=["member"])
    text = login(cast.secretary).get(url, {"person_q": "ls"}).content.decode()
    assert "李四（东湖县局党支部）" in text and f'value="{cast.people.member.pk}"' in text
    # The outsider's scope is his own branch: 李四 is not found, 钱七 is.
    outsider = login(cast.outsider)
    assert "李四" not in outsider.get(url, {"person_q": "ls"}).content.decode()
    assert "钱七" in outsider.get(url, {"person_q": "qianq"}).content.decode()
    assert "没有找到匹配项" in outsider.get(url, {"person_q": "李四"}).content.decode()


def test_suggestions_need_the_add_permission_and_a_known_kind(login, cast):
    assert login(cast.member).get(reverse("transfers:suggest", args=["member"])).status_code == 404
    assert login(cast.secretary).get(reverse("transfers:suggest", args=["x"])).status_code == 404


def test_receiving_branches_need_two_characters_and_are_capped(login, cast):
    url = reverse("transfers:suggest", args=["receiving_branch"])
    client = login(cast.secretary)
    assert "西山" not in client.get(url, {"to_org_q": "西"}).content.decode()
    assert "请多输入几个字" in client.get(url, {"to_org_q": "西"}).content.decode()
    assert "西山县局党支部" in client.get(url, {"to_org_q": "西山"}).content.decode()


def test_an_out_of_scope_person_is_a_field_error_that_tells_nothing(login, cast):
    response = login(cast.outsider).post(
        reverse("transfers:create"),
        {
            "person": cast.people.member.pk,
            "to_org_name": "外省某支部",
            "reason": "job",
            "issued_on": timezone.localdate().isoformat(),
        },
    )
    text = response.content.decode()
    assert response.status_code == 200 and not Transfer.objects.exists()
    assert "党员：请从搜索结果中选择；所选项不存在或不在您的权限范围内" in text
    assert "李四" not in text and "东湖" not in text
    # A nonexistent id gets the very same message.
    missing = login(cast.outsider).post(
        reverse("transfers:create"), {"person": 999999, "reason": "job"}
    )
    assert "所选项不存在或不在您的权限范围内" in missing.content.decode()


def test_without_script_search_then_choose_then_save(login, cast):
    client = login(cast.secretary)
    today = timezone.localdate().isoformat()
    # 1. Search: the form comes back unsaved, values kept, matches as radio buttons.
    searched = client.post(
        reverse("transfers:mobile_create"),
        {"person_q": "李", "_pick": "person", "destination": "广东省深圳市", "since": today},
    )
    text = searched.content.decode()
    assert searched.status_code == 200 and not MobileMember.objects.exists()
    assert f'type="radio" name="person" value="{cast.people.member.pk}"' in text
    assert "广东省深圳市" in text and "此项为必填项" not in text
    # 2. Choose and save.
    saved = client.post(
        reverse("transfers:mobile_create"),
        {"person": cast.people.member.pk, "destination": "广东省深圳市", "since": today},
    )
    assert saved.status_code == 302
    assert MobileMember.objects.get().person == cast.people.member


def test_a_chosen_person_stays_chosen_when_the_form_comes_back(login, cast):
    response = login(cast.secretary).post(
        reverse("transfers:create"), {"person": cast.people.member.pk, "reason": ""}
    )
    text = response.content.decode()
    assert f'name="person" value="{cast.people.member.pk}" id="id_person_chosen_' in text
    assert "checked" in text and "转接原因：此项为必填项" in text


def test_incoming_form_destination_is_limited_to_own_branches(login, cast):
    url = reverse("transfers:suggest", args=["own_branch"])
    assert "西山" not in login(cast.secretary).get(url, {"to_org_q": "西山"}).content.decode()
    assert "东湖县局党支部" in login(cast.secretary).get(url, {"to_org_q": "东湖"}).content.decode()
