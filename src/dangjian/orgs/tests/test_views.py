"""Tree pages: scoped roots and children, breadcrumbs in one query, create/move/rename with
history, Chinese messages for a kind that does not fit."""

import io

from django.urls import reverse

from dangjian.orgs.models import PartyOrg, Unit


def test_office_sees_the_company_at_the_root_of_the_unit_tree(cast, login):
    response = login(cast.office).get(reverse("orgs:unit_tree"))
    assert [u.name for u in response.context["roots"]] == ["赣州市烟草公司"]


def test_secretary_sees_the_units_his_branch_covers_as_roots(cast, login):
    response = login(cast.secretary).get(reverse("orgs:unit_tree"))
    assert [u.name for u in response.context["roots"]] == ["东湖县局"]
    assert "西山" not in response.content.decode()


def test_expanding_a_node_loads_only_visible_children(cast, login):
    response = login(cast.office).get(reverse("orgs:children", args=["unit", cast.city.company.pk]))
    assert [u.name for u in response.context["nodes"]] == ["东湖县局", "西山县局"]


def test_breadcrumb_shows_the_visible_ancestors(cast, login):
    office = login(cast.office).get(reverse("orgs:detail", args=["unit", cast.city.east_area.pk]))
    assert [a.name for a in office.context["ancestors"]] == ["赣州市烟草公司", "东湖县局"]


def test_breadcrumb_hides_ancestors_out_of_scope(cast, login):
    response = login(cast.secretary).get(
        reverse("orgs:detail", args=["unit", cast.city.east_area.pk])
    )
    assert [a.name for a in response.context["ancestors"]] == ["东湖县局"]


def test_the_detail_page_query_count_does_not_grow_with_depth(
    cast, login, django_assert_max_num_queries
):
    parent = cast.city.east_group.get_parent()
    client = login(cast.office)
    with django_assert_max_num_queries(14):
        client.get(reverse("orgs:detail", args=["party", cast.city.east_group.pk]))
    assert parent == cast.city.east_branch


def test_the_unit_tree_query_count_is_pinned(cast, login, django_assert_max_num_queries):
    for i in range(25):
        cast.city.company.refresh_from_db()
        cast.city.company.add_child(name=f"部门{i}", code=f"U-D{i}", kind="department")
    client = login(cast.office)
    with django_assert_max_num_queries(10):
        client.get(reverse("orgs:unit_tree"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("orgs:children", args=["unit", cast.city.company.pk]))
    assert len(response.context["nodes"]) == 27


def test_renaming_a_unit_shows_who_changed_what_on_its_page(cast, login):
    client = login(cast.office)
    data = {"name": "东湖区局", "code": "U-E", "kind": "bureau", "is_active": "on"}
    response = client.post(reverse("orgs:edit", args=["unit", cast.city.east.pk]), data)
    assert response.status_code == 302
    body = client.get(reverse("orgs:detail", args=["unit", cast.city.east.pk])).content.decode()
    assert "东湖县局" in body and "东湖区局" in body
    assert "office" in body


def test_a_secretary_edits_his_branch_but_not_the_committee_above_it(cast, login):
    client = login(cast.secretary)
    own = client.get(reverse("orgs:edit", args=["party", cast.city.east_branch.pk]))
    above = client.get(reverse("orgs:edit", args=["party", cast.city.committee.pk]))
    assert (own.status_code, above.status_code) == (200, 404)


def test_adding_a_child_of_the_wrong_kind_is_refused_in_chinese(cast, login):
    data = {"name": "错误节点", "code": "P-X", "kind": "committee", "is_active": "on"}
    response = login(cast.office).post(
        reverse("orgs:add_child", args=["party", cast.city.east_branch.pk]), data
    )
    assert "“党委”不能放在“党支部”之下" in response.content.decode()
    assert not PartyOrg.objects.filter(code="P-X").exists()


def test_adding_a_group_under_a_branch(cast, login):
    data = {"name": "东湖第二党小组", "code": "P-EG2", "kind": "group", "is_active": "on"}
    response = login(cast.secretary).post(
        reverse("orgs:add_child", args=["party", cast.city.east_branch.pk]), data
    )
    group = PartyOrg.objects.get(code="P-EG2")
    assert response["Location"] == reverse("orgs:detail", args=["party", group.pk])
    assert group.get_parent() == cast.city.east_branch


def test_moving_a_market_area_to_another_bureau(cast, login):
    client = login(cast.office)
    url = reverse("orgs:move", args=["unit", cast.city.east_area.pk])
    response = client.post(url, {"parent": cast.city.west.pk})
    assert response.status_code == 302
    area = Unit.objects.get(pk=cast.city.east_area.pk)
    assert area.get_parent() == cast.city.west


def test_the_move_form_offers_only_parents_of_a_fitting_kind(cast, login):
    response = login(cast.office).get(reverse("orgs:move", args=["unit", cast.city.east_area.pk]))
    choices = list(response.context["form"].fields["parent"].queryset)
    assert set(choices) == {cast.city.east, cast.city.west}


def test_an_unknown_tree_is_404(cast, login):
    assert login(cast.office).get("/orgs/nothing/1/").status_code == 404


def test_export_lists_the_tree_with_parent_codes(cast, login):
    from openpyxl import load_workbook

    response = login(cast.office).get(reverse("orgs:export", args=["unit"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编码", "名称", "类型", "上级编码")
    assert ("U-EA", "东湖城区片区", "片区", "U-E") in [r[:4] for r in rows]
