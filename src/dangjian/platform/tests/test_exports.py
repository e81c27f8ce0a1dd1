"""Excel exports: 404 without the export action, rows narrowed to it, logged, a real workbook."""

import io

import pytest
from django.http import Http404
from django.test import RequestFactory
from openpyxl import load_workbook

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.conftest import make_user
from dangjian.customers.models import RetailCustomer
from dangjian.platform.exports import exportable, workbook_export
from dangjian.platform.models import AccessLog


def _request(user, query=""):
    request = RequestFactory().get(f"/customers/export/?{query}", REMOTE_ADDR="10.0.0.7")
    request.user = user
    return request


def _licences(qs):
    return sorted(qs.values_list("licence_no", flat=True))


def test_a_user_who_may_not_export_gets_404(cast):
    # The secretary and the auditor see customers but may not take them away.
    for user in (cast.secretary, cast.auditor):
        with pytest.raises(Http404):
            exportable(_request(user), RetailCustomer)
    with pytest.raises(Http404):
        exportable(_request(User.objects.create_user("nobody", password="x")), RetailCustomer)


def test_rows_are_narrowed_to_what_the_user_may_export(cast):
    # Account manager (view and export) on 东湖's area, inspector (view only) on 西山.
    user = make_user(
        "two_hats", (Role.ACCOUNT_MANAGER, cast.city.east_area), (Role.INSPECTOR, cast.city.west)
    )
    visible = RetailCustomer.objects.restrict(user, "view")
    assert _licences(visible) == ["360101000001", "360102000001"]
    assert _licences(exportable(_request(user), RetailCustomer, visible)) == ["360101000001"]
    # Without a queryset: every row of the model the user may export.
    assert _licences(exportable(_request(user), RetailCustomer)) == ["360101000001"]


def test_the_whole_tree_keeps_the_queryset_as_it_is(cast):
    rows = RetailCustomer.objects.filter(unit=cast.city.east_area)
    assert exportable(_request(cast.office), RetailCustomer, rows) is rows
    assert _licences(exportable(_request(cast.office), RetailCustomer)) == [
        "360101000001",
        "360101000002",
        "360102000001",
    ]


def test_the_export_is_logged_with_its_count_and_filters_and_is_a_real_workbook(cast):
    request = _request(cast.manager, "q=便民&segment=special")
    rows = exportable(request, RetailCustomer, RetailCustomer.objects.all())
    response = workbook_export(
        request,
        model=RetailCustomer,
        count=rows.count(),
        filename="零售客户.xlsx",
        title="零售客户",
        headers=["许可证号", "店名"],
        rows=([c.licence_no, c.shop_name] for c in rows.order_by("licence_no")),
        widths=[16, 24],
    )
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.model, log.rows) == (
        cast.manager,
        "export",
        "customers.retailcustomer",
        1,
    )
    assert log.detail == "q=%E4%BE%BF%E6%B0%91&segment=special"
    assert log.object_id == ""
    assert log.ip == "10.0.0.7"
    assert (
        "filename*=UTF-8''%E9%9B%B6%E5%94%AE%E5%AE%A2%E6%88%B7.xlsx"
        in (response["Content-Disposition"])
    )
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)))["零售客户"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["许可证号", "店名"],
        ["360101000001", cast.customers.east.shop_name],
    ]
    assert ws.column_dimensions["B"].width == 24


def test_a_given_detail_and_object_are_logged_as_given(cast):
    request = _request(cast.office, "page=2")
    workbook_export(
        request,
        model=RetailCustomer,
        count=0,
        object_id=42,
        detail="许可证到期名单",
        filename="x.xlsx",
        title="x",
        headers=["许可证号"],
        rows=[],
    )
    log = AccessLog.objects.get()
    assert (log.object_id, log.detail, log.rows) == ("42", "许可证到期名单", 0)
