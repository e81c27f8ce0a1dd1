"""The company arrears overview: paginated, filtered, exported whole."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.conftest import make_person
from dangjian.orgs.models import PartyOrg


def _many_branches(city, n):
    for i in range(n):
        branch = city.committee.add_child(
            instance=PartyOrg(name=f"南岭第{i:02d}党支部", code=f"P-N{i:02d}", kind="branch")
        )
        make_person(f"党员{i:02d}", city.east, branch=branch)


def test_the_overview_is_paginated_and_searchable(login, cast, django_assert_max_num_queries):
    _many_branches(cast.city, 60)
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("dues:arrears"))
    assert len(first.context["listing"].rows) == 50
    assert "共 62 条，第 1 / 2 页" in first.content.decode()
    second = client.get(reverse("dues:arrears"), {"page": 2}).context["listing"].rows
    assert len(second) == 12
    found = client.get(reverse("dues:arrears"), {"q": "第07"}).context["listing"].rows
    assert [r["branch__name"] for r in found] == ["南岭第07党支部"]
    empty = client.get(reverse("dues:arrears"), {"q": "不存在"}).content.decode()
    assert "没有符合条件的支部" in empty


def test_filter_by_an_organisation_subtree(login, cast):
    general = cast.city.committee.add_child(
        instance=PartyOrg(name="北区党总支", code="P-B", kind="general_branch")
    )
    north = general.add_child(instance=PartyOrg(name="北区第一党支部", code="P-B1", kind="branch"))
    make_person("北区党员", cast.city.east, branch=north)
    client = login(cast.office)
    page = client.get(reverse("dues:arrears"))
    assert "北区党总支" in page.content.decode()  # offered as a filter
    rows = client.get(reverse("dues:arrears"), {"org": general.pk}).context["listing"].rows
    assert [r["branch__name"] for r in rows] == ["北区第一党支部"]


def test_the_export_holds_every_filtered_row_not_one_page(login, cast):
    _many_branches(cast.city, 60)
    response = login(cast.office).get(reverse("dues:arrears_export"), {"q": "南岭"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 60 and "东湖县局党支部" not in names


def test_the_outsider_sees_and_exports_only_his_branch(login, cast):
    client = login(cast.outsider)
    rows = client.get(reverse("dues:arrears")).context["listing"].rows
    assert [r["branch__name"] for r in rows] == ["西山县局党支部"]
    response = client.get(reverse("dues:arrears_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["西山县局党支部"]
    assert login(cast.member).get(reverse("dues:arrears_export")).status_code == 404
