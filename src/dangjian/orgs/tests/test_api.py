"""Units and party organisations API: scoped, read-only, with parents resolved."""

import pytest

from dangjian.orgs.models import Unit


def names(response):
    assert response.status_code == 200, response.content
    return sorted(n["name"] for n in response.json()["items"])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("office", ["东湖县局", "东湖城区片区", "西山县局", "西山城区片区", "赣州市烟草公司"]),
        ("secretary", ["东湖县局", "东湖城区片区"]),
        ("member", ["东湖县局", "东湖城区片区"]),
        ("manager", ["东湖城区片区"]),
        ("outsider", ["西山县局", "西山城区片区"]),
    ],
)
def test_unit_list_is_scoped(api, cast, who, expected):
    assert names(api(getattr(cast, who)).get("/api/v1/units")) == sorted(expected)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("office", ["东湖县局党支部", "东湖第一党小组", "市公司党委", "西山县局党支部"]),
        ("secretary", ["东湖县局党支部", "东湖第一党小组"]),
        ("member", ["东湖县局党支部", "东湖第一党小组"]),
        ("manager", []),
        ("outsider", ["西山县局党支部"]),
    ],
)
def test_party_org_list_is_scoped(api, cast, who, expected):
    assert names(api(getattr(cast, who)).get("/api/v1/party-orgs")) == sorted(expected)


def test_units_carry_their_parent(api, cast):
    items = api(cast.office).get("/api/v1/units").json()["items"]
    by_name = {u["name"]: u for u in items}
    assert by_name["赣州市烟草公司"]["parent_id"] is None
    assert by_name["东湖城区片区"]["parent_id"] == cast.city.east.pk
    assert by_name["东湖城区片区"]["kind_display"] == "片区"


def test_filter_by_kind_parent_and_name(api, cast):
    client = api(cast.office)
    assert names(client.get("/api/v1/units", {"kind": "market_area"})) == [
        "东湖城区片区",
        "西山城区片区",
    ]
    children = client.get("/api/v1/units", {"parent": cast.city.company.pk})
    assert names(children) == ["东湖县局", "西山县局"]
    assert names(client.get("/api/v1/units", {"q": "西山"})) == ["西山县局", "西山城区片区"]
    assert names(client.get("/api/v1/units", {"q": "U-EA"})) == ["东湖城区片区"]


def test_children_of_a_parent_above_the_scope_are_still_restricted(api, cast):
    children = api(cast.secretary).get("/api/v1/units", {"parent": cast.city.company.pk})
    assert names(children) == ["东湖县局"]


def test_party_org_lists_the_units_it_covers(api, cast):
    response = api(cast.secretary).get(f"/api/v1/party-orgs/{cast.city.east_branch.pk}")
    assert response.status_code == 200
    body = response.json()
    assert sorted(body["unit_ids"]) == sorted([cast.city.east.pk, cast.city.east_area.pk])
    assert body["parent_id"] == cast.city.committee.pk


def test_unit_detail_in_scope(api, cast):
    response = api(cast.manager).get(f"/api/v1/units/{cast.city.east_area.pk}")
    assert response.status_code == 200
    assert response.json()["code"] == "U-EA"


def test_outsider_gets_404_for_the_other_bureau_and_branch(api, cast):
    client = api(cast.outsider)
    assert client.get(f"/api/v1/units/{cast.city.east.pk}").status_code == 404
    assert client.get(f"/api/v1/party-orgs/{cast.city.east_branch.pk}").status_code == 404


def test_unknown_id_is_404(api, cast):
    assert api(cast.office).get("/api/v1/units/999999").status_code == 404


def test_list_query_counts_do_not_grow_with_rows(api, cast, django_assert_max_num_queries):
    for i in range(20):
        Unit.objects.add_child(
            cast.city.east, instance=Unit(name=f"片区{i}", code=f"U-X{i}", kind="market_area")
        )
    client = api(cast.office)
    # token, last-used update, grants, count, page, parents (+ covered units for orgs)
    with django_assert_max_num_queries(6):
        assert client.get("/api/v1/units").json()["count"] == 25
    with django_assert_max_num_queries(7):
        assert client.get("/api/v1/party-orgs").json()["count"] == 4
