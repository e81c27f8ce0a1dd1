"""The notice form's organisation pickers: searched within the user's scope."""

from django.urls import reverse
from django.utils import timezone

from dangjian.disclosure.models import Notice


def test_the_new_notice_form_lists_no_organisations(login, cast):
    text = login(cast.outsider).get(reverse("disclosure:create")).content.decode()
    assert "东湖" not in text and "市公司党委" not in text
    assert 'name="audience_orgs_q"' in text
    # His only organisation is chosen already.
    assert f'name="issuing_org" value="{cast.city.west_branch.pk}"' in text


def test_audience_suggestions_stay_within_scope(login, cast):
    url = reverse("disclosure:suggest", args=["audience_orgs"])
    assert "东湖" not in login(cast.outsider).get(url, {"audience_orgs_q": "东湖"}).content.decode()
    office = login(cast.office).get(url, {"audience_orgs_q": "党支部"}).content.decode()
    assert "东湖县局党支部" in office and "西山县局党支部" in office
    assert 'type="checkbox"' in office
    assert login(cast.member).get(url).status_code == 404


def test_an_audience_out_of_scope_is_refused_with_the_field_named(login, cast):
    response = login(cast.outsider).post(
        reverse("disclosure:create"),
        {
            "kind": "party_affairs",
            "title": "西山公开",
            "issuing_org": cast.city.west_branch.pk,
            "content": "内容",
            "audience": "chosen",
            "audience_orgs": [cast.city.east_branch.pk],
            "starts_on": timezone.localdate().isoformat(),
            "working_days": 5,
        },
    )
    text = response.content.decode()
    assert not Notice.objects.exists()
    assert "指定组织：请从搜索结果中选择" in text and "东湖" not in text


def test_several_organisations_can_be_chosen_and_are_kept(login, cast):
    client = login(cast.office)
    response = client.post(
        reverse("disclosure:create"),
        {
            "kind": "party_affairs",
            "title": "全市党务公开",
            "issuing_org": cast.city.committee.pk,
            "content": "内容",
            "audience": "chosen",
            "audience_orgs": [cast.city.east_branch.pk, cast.city.west_branch.pk],
            "starts_on": timezone.localdate().isoformat(),
            "working_days": 5,
        },
    )
    notice = Notice.objects.get()
    assert response.status_code == 302
    assert set(notice.audience_orgs.all()) == {cast.city.east_branch, cast.city.west_branch}
    edit = client.get(reverse("disclosure:edit", args=[notice.pk])).content.decode()
    assert edit.count('name="audience_orgs" value=') == 2 and "checked" in edit


def test_without_script_the_search_button_lists_matches_unsaved(login, cast):
    response = login(cast.office).post(
        reverse("disclosure:create"),
        {"title": "草稿标题", "audience_orgs_q": "西山", "_pick": "audience_orgs"},
    )
    text = response.content.decode()
    assert response.status_code == 200 and not Notice.objects.exists()
    assert f'name="audience_orgs" value="{cast.city.west_branch.pk}"' in text
    assert "草稿标题" in text and "此项为必填项" not in text
