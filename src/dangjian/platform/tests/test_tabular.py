"""Reading uploaded CSV and Excel tables: encodings, merged headers, extra cells, limits."""

import datetime as dt
import types

import pytest
from openpyxl import Workbook, load_workbook

from dangjian.platform.tabular import (
    CellError,
    Column,
    Table,
    TableError,
    UploadTooLarge,
    check_upload_size,
    detect_csv_encoding,
    write_error_report,
)

COLUMNS = [
    Column("licence", "许可证号", ("许可证编号",)),
    Column("name", "店名"),
    Column("format", "业态", required=False),
    Column("market", "城乡", required=False),
    Column("phone", "联系电话", required=False),
]


def write_csv(path, text, encoding):
    path.write_bytes(text.encode(encoding))
    return path


def test_gbk_csv_is_detected_and_read(tmp_path):
    path = write_csv(tmp_path / "a.csv", "许可证号,店名\n360101000009,红旗超市\n", "gbk")
    assert detect_csv_encoding(path) == "gb18030"
    [row] = Table(path, COLUMNS).rows()
    assert row.values == {"licence": "360101000009", "name": "红旗超市"}
    assert row.number == 2


def test_utf8_with_bom_csv_is_read(tmp_path):
    path = write_csv(tmp_path / "a.csv", "\ufeff许可证编号,店名\n360101000009,红旗超市\n", "utf-8")
    [row] = Table(path, COLUMNS).rows()
    assert row.values["licence"] == "360101000009"


def test_rows_are_streamed_not_loaded(tmp_path):
    path = write_csv(tmp_path / "a.csv", "许可证号,店名\n" + "360101000009,店\n" * 1000, "utf-8")
    rows = Table(path, COLUMNS).rows()
    assert isinstance(rows, types.GeneratorType)
    assert next(rows).number == 2


def test_extra_column_in_a_row_is_an_error_naming_row_and_column(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", "许可证号,店名\n360101000009,红旗超市\n360101000010,店,多余\n", "utf-8"
    )
    first, second = Table(path, COLUMNS).rows()
    assert first.errors == []
    [error] = second.errors
    assert error.row == 3
    assert error.column == "第C列"
    assert error.value == "多余"
    assert "第3行" in str(error) and "多出一列" in str(error)


def test_missing_required_column_is_refused(tmp_path):
    path = write_csv(tmp_path / "a.csv", "许可证号,地址\n1,2\n", "utf-8")
    with pytest.raises(TableError, match="无法识别的列：地址"):
        list(Table(path, COLUMNS).rows())
    path = write_csv(tmp_path / "b.csv", "许可证号\n1\n", "utf-8")
    with pytest.raises(TableError, match="缺少必需的列：店名"):
        list(Table(path, COLUMNS).rows())


def test_xlsx_with_merged_title_and_two_level_header(tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["零售客户信息表"])
    ws.merge_cells("A1:E1")
    ws.append(["许可证号", "店名", "分类", None, "联系电话"])
    ws.append([None, None, "业态", "城乡", None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:D2")
    ws.merge_cells("E2:E3")
    ws.append([360101000009, "红旗超市", "超市", "城镇", 13907971234])
    ws.append([None, None, None, None, None])
    ws.append(["360101000010", "东风便利店", "便利店", "乡村", None])
    book.save(tmp_path / "a.xlsx")
    rows = list(Table(tmp_path / "a.xlsx", COLUMNS).rows())
    assert [r.number for r in rows] == [4, 6]
    assert rows[0].values == {
        "licence": "360101000009",
        "name": "红旗超市",
        "format": "超市",
        "market": "城镇",
        "phone": "13907971234",
    }
    assert rows[1].values["phone"] == ""


def test_xlsx_dates_stay_dates(tmp_path):
    book = Workbook()
    book.active.append(["许可证号", "店名", "城乡"])
    book.active.append(["1", "店", dt.datetime(2028, 12, 31)])
    book.save(tmp_path / "d.xlsx")
    [row] = Table(tmp_path / "d.xlsx", COLUMNS).rows()
    assert row.values["market"] == dt.datetime(2028, 12, 31)


def test_not_an_excel_file_is_a_clear_error(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(TableError, match="无法读取该 Excel 文件"):
        list(Table(path, COLUMNS).rows())


def test_200_mb_upload_is_refused_before_reading(settings):
    settings.MAX_UPLOAD_MB = 50
    with pytest.raises(UploadTooLarge, match="超过上限 50 MB"):
        check_upload_size(200 * 1024 * 1024)
    check_upload_size(50 * 1024 * 1024)


def test_error_report_lists_row_column_value_problem(tmp_path):
    path = tmp_path / "errors.xlsx"
    write_error_report(path, [CellError(3, "许可证号", "123", "许可证号应为12位数字")])
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows == [("行号", "列", "值", "问题"), (3, "许可证号", "123", "许可证号应为12位数字")]
