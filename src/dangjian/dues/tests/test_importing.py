"""Importing payroll bases: all or nothing, with a per-row error report."""

import datetime as dt

import pytest
from openpyxl import Workbook

from dangjian.dues.importing import dues_base_import
from dangjian.dues.models import DuesBase
from dangjian.platform.tabular import ImportRejected


def _file(tmp_path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["身份证号", "姓名", "起始月份", "党员类别", "交纳基数"])
    for row in rows:
        ws.append(row)
    path = tmp_path / "bases.xlsx"
    wb.save(path)
    return path


def test_import_all_rows(cast, tmp_path):
    member, secretary = cast.people.member, cast.people.secretary
    path = _file(
        tmp_path,
        [
            [member.id_number, "李四", "2025-01", "在职", "4500"],
            [secretary.id_number, "张三", "2025/02", "离退休", 5000.01],
        ],
    )
    assert dues_base_import(actor=cast.secretary, path=path)["created"] == 2
    assert DuesBase.objects.get(person=secretary).effective_month == dt.date(2025, 2, 1)
    assert str(DuesBase.objects.get(person=secretary).monthly_due) == "50.00"


def test_bad_rows_reject_everything_with_row_and_column(cast, tmp_path):
    path = _file(
        tmp_path,
        [
            [cast.people.member.id_number, "李四", "2025-01", "在职", "4500"],
            [cast.people.secretary.id_number, "张三", "2025-01", "在职", "三千"],
            [cast.people.secretary.id_number, "张三", "2025-02", "在职", "-1"],
            [cast.people.outsider.id_number, "赵六", "2025-01", "在职", "4000"],
            [cast.people.member.id_number, "王五", "2025-03", "在职", "4000"],
            [cast.people.member.id_number, "李四", "2025-13", "在职", "4000"],
        ],
    )
    with pytest.raises(ImportRejected) as exc:
        dues_base_import(actor=cast.secretary, path=path)
    found = {(e.row, e.column) for e in exc.value.errors}
    assert found == {
        (3, "交纳基数"),
        (4, "交纳基数"),
        (5, "身份证号"),
        (6, "姓名"),
        (7, "起始月份"),
    }
    assert any("不是数字" in e.message for e in exc.value.errors)
    assert not DuesBase.objects.exists()
