"""People API: scoped lists and details, masked personal data, logged reveals, form-checked
writes."""

import datetime as dt

import pytest

from dangjian.people.models import Membership, Person
from dangjian.platform import idcard
from dangjian.platform.models import AccessLog


def names(response):
    assert response.status_code == 200, response.content
    return sorted(p["name"] for p in response.json()["items"])


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


NEW_ID = idcard.make("360102", dt.date(1990, 5, 17), 777)


def new_person(unit, **extra):
    return {"name": "周新", "id_number": NEW_ID, "unit": unit.pk, "phone": "13712345678", **extra}


# --- lists are scoped -------------------------------------------------------------------


def test_office_lists_everyone(api, cast):
    body = api(cast.office).get("/api/v1/people").json()
    assert body["count"] == 6
    assert len(body["items"]) == 6


def test_secretary_lists_only_his_branch_members(api, cast):
    assert names(api(cast.secretary).get("/api/v1/people")) == ["单雄信", "张三", "李四"]


def test_member_lists_only_himself(api, cast):
    assert names(api(cast.member).get("/api/v1/people")) == ["李四"]


def test_account_manager_lists_no_people(api, cast):
    assert api(cast.manager).get("/api/v1/people").json()["count"] == 0


def test_outsider_lists_only_the_other_branch(api, cast):
    assert names(api(cast.outsider).get("/api/v1/people")) == ["赵六", "钱七"]


def test_list_masks_id_numbers_and_phones(api, cast):
    response = api(cast.office).get("/api/v1/people", {"q": "张三"})
    item = response.json()["items"][0]
    person = cast.people.secretary
    assert item["id_number_masked"] == person.id_number[:6] + "********" + person.id_number[-4:]
    assert item["phone_masked"] == person.phone[:3] + "****" + person.phone[-4:]
    assert person.id_number.encode() not in response.content
    assert person.phone.encode() not in response.content


def test_list_carries_membership_fields(api, cast):
    items = api(cast.office).get("/api/v1/people", {"q": "单雄信"}).json()["items"]
    membership = items[0]["membership"]
    assert membership["branch_name"] == "东湖县局党支部"
    assert membership["status"] == "probationary"
    assert membership["status_display"] == "预备党员"
    no_member = api(cast.office).get("/api/v1/people", {"q": "王五"}).json()["items"][0]
    assert no_member["membership"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zs", ["张三"]), ("sxx", ["单雄信"]), ("李", ["李四"])],
)
def test_search_by_name_pinyin_and_initials(api, cast, query, expected):
    assert names(api(cast.office).get("/api/v1/people", {"q": query})) == expected


def test_search_by_exact_id_number_and_phone(api, cast):
    person = cast.people.member
    client = api(cast.office)
    assert names(client.get("/api/v1/people", {"q": person.id_number})) == ["李四"]
    assert names(client.get("/api/v1/people", {"q": person.phone})) == ["李四"]


def test_search_stays_inside_the_scope(api, cast):
    person = cast.people.member
    assert api(cast.outsider).get("/api/v1/people", {"q": person.id_number}).json()["count"] == 0


def test_filter_by_branch_and_status(api, cast):
    client = api(cast.office)
    west = client.get("/api/v1/people", {"branch": cast.city.west_branch.pk})
    assert names(west) == ["赵六", "钱七"]
    assert names(client.get("/api/v1/people", {"status": "probationary"})) == ["单雄信"]
    assert names(client.get("/api/v1/people", {"status": "none"})) == ["王五"]


def test_pagination_returns_the_total_count(api, cast):
    body = api(cast.office).get("/api/v1/people", {"limit": 2, "offset": 4}).json()
    assert body["count"] == 6
    assert body["limit"] == 2
    assert body["offset"] == 4
    assert len(body["items"]) == 2


def test_limit_out_of_range_is_422(api, cast):
    response = api(cast.office).get("/api/v1/people", {"limit": 1000})
    assert response.status_code == 422
    assert "limit" in response.json()["errors"]


def add_members(count, unit, branch):
    # Own ID numbers rather than conftest's shared sequence, which a loop would use up.
    for i in range(count):
        birth = dt.date(1985, 1, 1) + dt.timedelta(days=i)
        number = idcard.make("360103", birth, i)
        person = Person.objects.create(
            name=f"测试{i}",
            gender=idcard.parse(number)[1],
            birth_date=birth,
            unit=unit,
            id_number=number,
        )
        Membership.objects.create(
            person=person, branch=branch, status="probationary", joined_on=dt.date(2025, 7, 1)
        )


def test_list_query_count_does_not_grow_with_rows(api, cast, django_assert_max_num_queries):
    add_members(30, cast.city.east, cast.city.east_branch)
    client = api(cast.office)
    # token, last-used update, grants, count, page (people with unit and membership joined)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/people", {"limit": 200})
    assert response.json()["count"] == 36


# --- details: another branch's record is a 404 ------------------------------------------


def test_detail_of_own_branch_member(api, cast):
    response = api(cast.secretary).get(f"/api/v1/people/{cast.people.member.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "李四"
    assert cast.people.member.id_number.encode() not in response.content


def test_outsider_gets_404_for_another_branch_person(api, cast):
    response = api(cast.outsider).get(f"/api/v1/people/{cast.people.member.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该记录"


def test_member_gets_404_for_a_fellow_member(api, cast):
    response = api(cast.member).get(f"/api/v1/people/{cast.people.secretary.pk}")
    assert response.status_code == 404


# --- reveal: explicit, role-bound, logged -----------------------------------------------


def test_secretary_reveals_an_id_number_and_it_is_logged(api, cast):
    person = cast.people.member
    response = post(
        api(cast.secretary), f"/api/v1/people/{person.pk}/reveal", {"field": "id_number"}
    )
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": person.id_number}
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.model, log.object_id, log.field, log.via) == (
        cast.secretary,
        "reveal",
        "people.person",
        str(person.pk),
        "id_number",
        "api",
    )


def test_outsider_reveal_is_404_and_not_logged(api, cast):
    response = post(
        api(cast.outsider), f"/api/v1/people/{cast.people.member.pk}/reveal", {"field": "phone"}
    )
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_auditor_may_read_but_not_reveal(api, cast):
    response = post(
        api(cast.auditor), f"/api/v1/people/{cast.people.member.pk}/reveal", {"field": "phone"}
    )
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_reveal_of_a_non_personal_field_is_422(api, cast):
    response = post(
        api(cast.office), f"/api/v1/people/{cast.people.member.pk}/reveal", {"field": "name"}
    )
    assert response.status_code == 422
    assert "field" in response.json()["errors"]


# --- create and update with the form's checks -------------------------------------------


def test_office_creates_a_person_with_fields_derived_from_the_id_number(api, cast):
    response = post(api(cast.office), "/api/v1/people", new_person(cast.city.east))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["birth_date"] == "1990-05-17"
    assert body["gender"] == "M"
    assert body["id_number_masked"] == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert Person.objects.get(pk=body["id"]).id_number == NEW_ID


def test_create_with_a_bad_id_number_is_422_naming_the_field(api, cast):
    bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    response = post(api(cast.office), "/api/v1/people", new_person(cast.city.east, id_number=bad))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("身份证号：")
    assert "校验位" in body["detail"]
    assert body["errors"]["id_number"] == ["身份证号校验位错误"]
    assert not Person.objects.filter(name="周新").exists()


def test_create_with_a_duplicate_id_number_is_422(api, cast):
    payload = new_person(cast.city.east, id_number=cast.people.outsider.id_number)
    response = post(api(cast.office), "/api/v1/people", payload)
    assert response.status_code == 422
    assert response.json()["errors"]["id_number"] == ["该身份证号已登记"]


def test_create_with_a_malformed_phone_and_no_name_names_both_fields(api, cast):
    payload = new_person(cast.city.east, phone="12345")
    del payload["name"]
    body = post(api(cast.office), "/api/v1/people", payload).json()
    assert "手机号码：手机号码应为以1开头的11位数字" in body["detail"]
    assert "姓名：" in body["detail"]
    assert body["errors"]["name"]


def test_wrong_type_is_422_with_the_chinese_label(api, cast):
    payload = new_person(cast.city.east, employed_on="去年")
    response = post(api(cast.office), "/api/v1/people", payload)
    assert response.status_code == 422
    assert response.json()["detail"] == "入职日期：日期格式应为 YYYY-MM-DD"


def test_create_a_member_with_membership(api, cast):
    payload = new_person(
        cast.city.east,
        membership={
            "branch": cast.city.east_branch.pk,
            "group": cast.city.east_group.pk,
            "status": "full",
            "joined_on": "2015-07-01",
            "full_member_on": "2016-07-01",
        },
    )
    response = post(api(cast.secretary), "/api/v1/people", payload)
    assert response.status_code == 201, response.content
    membership = Membership.objects.get(person_id=response.json()["id"])
    assert (membership.branch, membership.group) == (cast.city.east_branch, cast.city.east_group)


def test_membership_rules_are_checked(api, cast):
    payload = new_person(
        cast.city.east,
        membership={
            "branch": cast.city.east_branch.pk,
            "status": "full",
            "joined_on": "2015-07-01",
        },
    )
    body = post(api(cast.office), "/api/v1/people", payload).json()
    assert body["errors"]["membership.full_member_on"] == ["正式党员必须填写转正日期"]
    assert "转正日期：" in body["detail"]
    assert not Person.objects.filter(name="周新").exists()


def test_secretary_cannot_put_a_member_into_another_branch(api, cast):
    payload = new_person(
        cast.city.east,
        membership={
            "branch": cast.city.west_branch.pk,
            "status": "probationary",
            "joined_on": "2025-07-01",
        },
    )
    response = post(api(cast.secretary), "/api/v1/people", payload)
    assert response.status_code == 422
    assert "membership.branch" in response.json()["errors"]


def test_secretary_cannot_create_a_person_he_could_not_see_afterwards(api, cast):
    # Not a member of his branch: out of his reach once saved, so refused and rolled back.
    response = post(api(cast.secretary), "/api/v1/people", new_person(cast.city.east))
    assert response.status_code == 422
    assert not Person.objects.filter(name="周新").exists()


def test_member_may_not_create_people(api, cast):
    response = post(api(cast.member), "/api/v1/people", new_person(cast.city.east))
    assert response.status_code == 403
    assert response.json()["detail"] == "您无权新增人员"


def test_partial_update_changes_only_the_sent_fields(api, cast):
    person = cast.people.member
    response = patch(api(cast.secretary), f"/api/v1/people/{person.pk}", {"title": "组织委员"})
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.title == "组织委员"
    assert person.post == "客户经理"
    assert person.membership.status == "full"


def test_update_can_drop_the_membership(api, cast):
    person = cast.people.probationary
    response = patch(api(cast.office), f"/api/v1/people/{person.pk}", {"membership": None})
    assert response.status_code == 200
    assert response.json()["membership"] is None


def test_update_of_another_branch_person_is_404(api, cast):
    response = patch(api(cast.outsider), f"/api/v1/people/{cast.people.member.pk}", {"title": "x"})
    assert response.status_code == 404


def test_member_cannot_update_even_himself(api, cast):
    response = patch(api(cast.member), f"/api/v1/people/{cast.people.member.pk}", {"title": "x"})
    assert response.status_code == 404


def test_api_changes_are_in_the_history_under_the_token_user(api, cast):
    person = cast.people.member
    patch(api(cast.secretary), f"/api/v1/people/{person.pk}", {"title": "宣传委员"})
    latest = person.history.first()
    assert latest.title == "宣传委员"
    assert latest.history_user == cast.secretary
