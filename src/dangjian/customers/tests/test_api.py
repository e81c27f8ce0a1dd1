"""Customers API: scoped lists and details, masked phone, logged reveal, form-checked writes."""

import pytest

from dangjian.customers.models import RetailCustomer
from dangjian.platform.models import AccessLog


def licences(response):
    assert response.status_code == 200, response.content
    return sorted(c["licence_no"] for c in response.json()["items"])


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def new_customer(unit, **extra):
    return {
        "licence_no": "360101000099",
        "shop_name": "新开便利店",
        "owner_name": "刘备",
        "phone": "13800001111",
        "address": "东湖路1号",
        "unit": unit.pk,
        "business_format": "B",
        "market": "C",
        "size": "3",
        **extra,
    }


# --- lists are scoped -------------------------------------------------------------------


def test_office_and_auditor_list_every_customer(api, cast):
    assert api(cast.office).get("/api/v1/customers").json()["count"] == 3
    assert api(cast.auditor).get("/api/v1/customers").json()["count"] == 3


def test_account_manager_lists_only_his_area(api, cast):
    assert licences(api(cast.manager).get("/api/v1/customers")) == ["360101000001"]


def test_outsider_lists_only_the_other_bureau(api, cast):
    assert licences(api(cast.outsider).get("/api/v1/customers")) == ["360102000001"]


def test_member_lists_no_customers(api, cast):
    assert api(cast.member).get("/api/v1/customers").json()["count"] == 0


def test_secretary_lists_the_customers_of_the_units_his_branch_covers(api, cast):
    assert licences(api(cast.secretary).get("/api/v1/customers")) == [
        "360101000001",
        "360101000002",
    ]


def test_list_masks_the_phone(api, cast):
    response = api(cast.manager).get("/api/v1/customers")
    item = response.json()["items"][0]
    assert item["phone_masked"] == "139****0000"
    assert b"13900000000" not in response.content
    assert item["code"] == "CZ2"
    assert item["account_manager_name"] == "王五"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("360101", ["360101000001", "360101000002"]),
        ("zxx", ["360101000002"]),
        ("曾小贤", ["360101000002"]),
        ("西山", ["360102000001"]),
    ],
)
def test_search_by_licence_name_and_initials(api, cast, query, expected):
    assert licences(api(cast.office).get("/api/v1/customers", {"q": query})) == expected


def test_filter_by_unit_format_and_segment(api, cast):
    RetailCustomer.objects.filter(pk=cast.customers.west.pk).update(
        modern_terminal=True, business_format="S"
    )
    client = api(cast.office)
    by_unit = client.get("/api/v1/customers", {"unit": cast.city.east.pk})
    assert licences(by_unit) == ["360101000001", "360101000002"]
    by_format = client.get("/api/v1/customers", {"business_format": "S"})
    assert licences(by_format) == ["360102000001"]
    by_segment = client.get("/api/v1/customers", {"segment": "modern_terminal"})
    assert licences(by_segment) == ["360102000001"]


def test_unknown_segment_is_422_naming_the_filter(api, cast):
    response = api(cast.office).get("/api/v1/customers", {"segment": "unit__name"})
    assert response.status_code == 422
    assert "segment" in response.json()["errors"]


def test_filtering_by_an_out_of_scope_unit_gives_nothing(api, cast):
    response = api(cast.outsider).get("/api/v1/customers", {"unit": cast.city.east.pk})
    assert response.json()["count"] == 0


def test_list_query_count_does_not_grow_with_rows(api, cast, django_assert_max_num_queries):
    RetailCustomer.objects.bulk_create(
        [
            RetailCustomer(
                licence_no=f"3601010010{i:02d}",
                shop_name=f"店{i}",
                owner_name="张飞",
                address="路",
                unit=cast.city.east_area,
                account_manager=cast.people.manager,
                business_format="Z",
                market="C",
                size="2",
            )
            for i in range(40)
        ]
    )
    client = api(cast.office)
    # token, last-used update, grants, count, page (customers with unit and manager joined)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/customers", {"limit": 200})
    assert response.json()["count"] == 43


# --- details: another bureau's record is a 404 ------------------------------------------


def test_manager_sees_his_customer(api, cast):
    response = api(cast.manager).get(f"/api/v1/customers/{cast.customers.east.pk}")
    assert response.status_code == 200
    assert response.json()["shop_name"] == cast.customers.east.shop_name


def test_outsider_gets_404_for_another_bureau_customer(api, cast):
    response = api(cast.outsider).get(f"/api/v1/customers/{cast.customers.east.pk}")
    assert response.status_code == 404


# --- reveal ----------------------------------------------------------------------------


def test_manager_reveals_the_phone_and_it_is_logged(api, cast):
    customer = cast.customers.east
    response = post(
        api(cast.manager), f"/api/v1/customers/{customer.pk}/reveal", {"field": "phone"}
    )
    assert response.json() == {"field": "phone", "value": "13900000000"}
    log = AccessLog.objects.get()
    assert (log.user, log.model, log.object_id, log.field, log.via) == (
        cast.manager,
        "customers.retailcustomer",
        str(customer.pk),
        "phone",
        "api",
    )


def test_outsider_reveal_is_404_and_not_logged(api, cast):
    response = post(
        api(cast.outsider), f"/api/v1/customers/{cast.customers.east.pk}/reveal", {"field": "phone"}
    )
    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_auditor_cannot_reveal(api, cast):
    response = post(
        api(cast.auditor), f"/api/v1/customers/{cast.customers.east.pk}/reveal", {"field": "phone"}
    )
    assert response.status_code == 403


# --- create and update ------------------------------------------------------------------


def test_manager_creates_a_customer_in_his_area_with_defaults(api, cast):
    response = post(api(cast.manager), "/api/v1/customers", new_customer(cast.city.east_area))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_active"] is True
    assert body["tier"] == 15
    assert body["code"] == "CB3"
    assert RetailCustomer.objects.get(pk=body["id"]).phone == "13800001111"


def test_duplicate_licence_is_422_with_the_form_message(api, cast):
    payload = new_customer(cast.city.east_area, licence_no=cast.customers.west.licence_no)
    response = post(api(cast.office), "/api/v1/customers", payload)
    assert response.status_code == 422
    body = response.json()
    assert body["errors"]["licence_no"] == ["该许可证号已存在"]
    assert body["detail"] == "许可证号：该许可证号已存在"


def test_bad_licence_phone_and_tier_are_named(api, cast):
    payload = new_customer(cast.city.east_area, licence_no="12AB", phone="12345", tier=40)
    body = post(api(cast.office), "/api/v1/customers", payload).json()
    assert set(body["errors"]) == {"licence_no", "phone", "tier"}
    assert "许可证号：许可证号应为12位数字" in body["detail"]
    assert "联系电话：" in body["detail"]
    assert "档位：" in body["detail"]


def test_manager_cannot_create_in_another_area(api, cast):
    payload = new_customer(cast.city.west_area)
    response = post(api(cast.manager), "/api/v1/customers", payload)
    assert response.status_code == 422
    assert "unit" in response.json()["errors"]
    assert not RetailCustomer.objects.filter(licence_no="360101000099").exists()


def test_courier_like_read_only_roles_cannot_create(api, cast):
    response = post(api(cast.auditor), "/api/v1/customers", new_customer(cast.city.east_area))
    assert response.status_code == 403


def test_partial_update_keeps_the_other_fields(api, cast):
    customer = cast.customers.east
    response = patch(api(cast.manager), f"/api/v1/customers/{customer.pk}", {"tier": 28})
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.tier == 28
    assert customer.phone == "13900000000"
    assert customer.is_active is True


def test_update_to_a_duplicate_licence_is_422(api, cast):
    response = patch(
        api(cast.office),
        f"/api/v1/customers/{cast.customers.east.pk}",
        {"licence_no": cast.customers.west.licence_no},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["licence_no"] == ["该许可证号已存在"]


def test_update_of_another_bureau_customer_is_404(api, cast):
    response = patch(api(cast.outsider), f"/api/v1/customers/{cast.customers.east.pk}", {"tier": 1})
    assert response.status_code == 404


def test_read_only_auditor_update_is_404(api, cast):
    response = patch(api(cast.auditor), f"/api/v1/customers/{cast.customers.east.pk}", {"tier": 1})
    assert response.status_code == 404
