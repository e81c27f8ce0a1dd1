"""Customer pages: validated form, scoped units, masked phone, logged reveal and export,
pinyin search, history on the page."""

import io

import pytest
from django.urls import reverse

from dangjian.conftest import make_customer
from dangjian.customers.models import RetailCustomer
from dangjian.platform.models import AccessLog


def customer_data(cast, **extra):
    data = {
        "licence_no": "360101000099",
        "shop_name": "东湖新开便利店",
        "owner_name": "曾小明",
        "phone": "13911112222",
        "address": "东湖城区解放路8号",
        "unit": cast.city.east_area.pk,
        "account_manager": "",
        "business_format": "B",
        "market": "C",
        "size": "3",
        "tier": "12",
        "credit_grade": "A",
        "licence_expires_on": "2028-12-31",
        "birthday": "",
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_account_manager_adds_a_customer_in_his_area(cast, login):
    response = login(cast.manager).post(reverse("customers:create"), customer_data(cast))
    customer = RetailCustomer.objects.get(licence_no="360101000099")
    assert response["Location"] == reverse("customers:detail", args=[customer.pk])
    assert customer.code == "CB3"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("licence_no", "36010100009", "许可证号应为12位数字"),
        ("licence_no", "36010100009A", "许可证号应为12位数字"),
        ("licence_no", "360101000001", "该许可证号已存在"),
        ("phone", "12345", "手机号码格式不正确"),
        ("tier", "0", "档位"),
        ("tier", "31", "档位"),
        ("shop_name", "", "店名："),
    ],
)
def test_bad_customer_input_gets_a_chinese_message_naming_the_field(
    cast, login, field, value, message
):
    response = login(cast.manager).post(
        reverse("customers:create"), customer_data(cast, **{field: value})
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert RetailCustomer.objects.count() == 3


def test_a_landline_with_area_code_is_a_valid_phone(cast, login):
    login(cast.manager).post(reverse("customers:create"), customer_data(cast, phone="0797-8123456"))
    assert RetailCustomer.objects.filter(licence_no="360101000099").exists()


def test_a_manager_cannot_file_a_customer_under_another_area(cast, login):
    response = login(cast.manager).post(
        reverse("customers:create"), customer_data(cast, unit=cast.city.west_area.pk)
    )
    assert response.status_code == 200
    assert not RetailCustomer.objects.filter(licence_no="360101000099").exists()


def test_the_secretary_who_only_reads_customers_cannot_add_them(cast, login):
    assert login(cast.secretary).get(reverse("customers:create")).status_code == 404


def test_the_phone_is_masked_and_reveal_is_logged(cast, login):
    customer = cast.customers.east
    client = login(cast.manager)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert customer.phone not in page
    assert customer.phone_masked in page
    revealed = client.post(reverse("customers:reveal", args=[customer.pk, "phone"]))
    assert customer.phone in revealed.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.action, entry.model, entry.field) == (
        "reveal",
        "customers.retailcustomer",
        "phone",
    )


def test_the_courier_like_reader_cannot_reveal(cast, login):
    url = reverse("customers:reveal", args=[cast.customers.east.pk, "phone"])
    assert login(cast.secretary).post(url).status_code == 404
    assert not AccessLog.objects.exists()


def test_export_is_masked_and_logged_with_the_row_count(cast, login):
    from openpyxl import load_workbook

    response = login(cast.office).get(reverse("customers:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [str(v) for row in book.active.iter_rows(values_only=True) for v in row]
    assert "13900000000" not in cells
    assert "139****0000" in cells
    assert AccessLog.objects.get(action="export").rows == 3


def test_export_respects_the_filter(cast, login):
    login(cast.office).get(reverse("customers:export"), {"q": "360102"})
    assert AccessLog.objects.get(action="export").rows == 1


@pytest.mark.parametrize(
    ("query", "licence"),
    [
        ("zeng", "360101000002"),
        ("zxx", "360101000002"),
        ("zengxx", "360101000002"),
        ("曾", "360101000002"),
        ("360101000001", "360101000001"),
        ("3601010", "360101000001"),
    ],
)
def test_customers_are_found_by_owner_pinyin_initials_and_licence(cast, login, query, licence):
    response = login(cast.office).get(reverse("customers:list"), {"q": query})
    assert licence in [c.licence_no for c in response.context["listing"].rows]


def test_customers_are_found_by_exact_phone(cast, login):
    make_customer("360101000050", cast.city.east, phone="13655556666")
    response = login(cast.office).get(reverse("customers:list"), {"q": "13655556666"})
    assert [c.licence_no for c in response.context["listing"].rows] == ["360101000050"]


def test_filters_by_unit_and_segment(cast, login):
    make_customer("360101000051", cast.city.east_area, modern_terminal=True)
    client = login(cast.office)
    by_unit = client.get(reverse("customers:list"), {"unit": cast.city.east.pk})
    assert {c.unit for c in by_unit.context["listing"].rows} <= {
        cast.city.east,
        cast.city.east_area,
    }
    modern = client.get(reverse("customers:list"), {"segment": "modern_terminal"})
    assert [c.licence_no for c in modern.context["listing"].rows] == ["360101000051"]


def test_an_empty_search_says_so(cast, login):
    response = login(cast.office).get(reverse("customers:list"), {"q": "不存在的店"})
    assert "没有找到匹配的客户" in response.content.decode()


def test_the_customer_list_query_count_does_not_grow_with_rows(
    cast, login, django_assert_max_num_queries
):
    for i in range(25):
        make_customer(f"3601011{i:05d}", cast.city.east_area, account_manager=cast.people.manager)
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("customers:list"))
    assert len(response.context["listing"].rows) == 25


def test_editing_a_customer_shows_who_changed_what_and_hides_the_phone(cast, login):
    customer = cast.customers.east
    client = login(cast.manager)
    data = customer_data(
        cast,
        licence_no=customer.licence_no,
        shop_name="东湖旗舰店",
        owner_name=customer.owner_name,
        phone="13811110000",
        tier="20",
    )
    assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "店名" in body and "东湖旗舰店" in body
    assert "已修改" in body
    assert "13811110000" not in body
    assert "manager" in body


def test_deep_pages_fetch_their_rows_by_key_in_the_same_order(
    cast, login, monkeypatch, django_assert_max_num_queries
):
    from dangjian.platform import listing

    monkeypatch.setattr(listing, "DEFERRED_JOIN_OFFSET", 20)  # page 3 of 10 is "deep"
    for i in range(40):
        make_customer(f"3601012{i:05d}", cast.city.east_area, account_manager=cast.people.manager)
    client = login(cast.office)
    everyone = sorted(RetailCustomer.objects.values_list("licence_no", flat=True), reverse=True)
    with django_assert_max_num_queries(13):
        response = client.get(
            reverse("customers:list"), {"page": 3, "per_page": 10, "sort": "-licence"}
        )
    rows = response.context["listing"].rows
    assert [c.licence_no for c in rows] == everyone[20:30]
    assert rows[0].unit == cast.city.east_area and rows[0].account_manager == cast.people.manager
    assert "共 43 条，第 3 / 5 页" in response.content.decode()
    # the outsider's deep page holds only his own scope (here: nothing past page 1)
    page = login(cast.outsider).get(reverse("customers:list"), {"page": 3, "per_page": 10})
    assert all(c.unit != cast.city.east_area for c in page.context["listing"].rows)


def test_a_name_sort_keeps_ties_in_a_stable_order(cast, login):
    for i in range(12):
        make_customer(f"3601013{i:05d}", cast.city.east_area, owner_name="李四")
    client = login(cast.office)
    pages = [
        client.get(reverse("customers:list"), {"sort": "owner", "per_page": 10, "page": n})
        for n in (1, 2)
    ]
    seen = [c.pk for p in pages for c in p.context["listing"].rows]
    assert len(seen) == len(set(seen)) == 15
