"""GET /api/v1/dues/calculator and the scoped payments list."""

import datetime as dt

import pytest

from .factories import base, paid

URL = "/api/v1/dues/calculator"


@pytest.mark.parametrize(
    "base_value,category,amount",
    [
        ("3000", "employed", "15.00"),
        ("3000.01", "employed", "30.00"),
        ("5000", "employed", "50.00"),
        ("5000.01", "employed", "75.00"),
        ("10000", "employed", "150.00"),
        ("10000.01", "employed", "200.00"),
        ("5000", "retired", "25.00"),
        ("5000.01", "retired", "50.00"),
        ("0", "student", "0.20"),
        ("0", "relief", "0.20"),
        ("0", "farmer", "0.20"),
    ],
)
def test_calculator(api, cast, base_value, category, amount):
    response = api(cast.member).get(URL, {"base": base_value, "category": category})
    assert response.status_code == 200
    body = response.json()
    assert body["amount"] == amount
    assert "《关于中国共产党党费收缴、使用和管理的规定》" in body["rule"]


def test_calculator_rule_names_the_bracket(api, cast):
    body = api(cast.member).get(URL, {"base": "4000", "category": "employed"}).json()
    assert "3,000.00 元以上至 5,000.00 元（含）" in body["rule"] and "1%" in body["rule"]


@pytest.mark.parametrize(
    "params,field,text",
    [
        ({"base": "-1", "category": "employed"}, "base", "负数"),
        ({"base": "三千", "category": "employed"}, "base", "不是数字"),
        ({"category": "employed"}, "base", "请填写"),
        ({"base": "3000", "category": "pensioner"}, "category", "未知的类别"),
        ({"base": "3000"}, "category", "请填写"),
    ],
)
def test_calculator_bad_input_is_422_naming_the_parameter(api, cast, params, field, text):
    response = api(cast.member).get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [field]
    assert f"参数 {field}" in body["detail"] and text in body["detail"]


def test_calculator_needs_a_token(client, cast):
    assert client.get(URL, {"base": "1", "category": "employed"}).status_code == 401


def _ledger(cast):
    base(cast.people.member, dt.date(2025, 1, 1), "4000")
    paid(cast.people.member, dt.date(2025, 1, 1), "40.00", proxy_name="王芳")
    base(cast.people.west_member, dt.date(2025, 1, 1), "3000")
    paid(cast.people.west_member, dt.date(2025, 1, 1), "15.00")


def test_payments_are_scoped(api, cast):
    _ledger(cast)
    items = api(cast.secretary).get("/api/v1/dues/payments").json()["items"]
    assert [(i["person_name"], i["amount"], i["proxy_name"]) for i in items] == [
        ("李四", "40.00", "王芳")
    ]
    assert [
        i["person_name"] for i in api(cast.outsider).get("/api/v1/dues/payments").json()["items"]
    ] == ["钱七"]
    assert len(api(cast.office).get("/api/v1/dues/payments", {"year": 2025}).json()["items"]) == 2
    assert [
        i["person_name"] for i in api(cast.member).get("/api/v1/dues/payments").json()["items"]
    ] == ["李四"]
    assert api(cast.manager).get("/api/v1/dues/payments").json()["items"] == []
