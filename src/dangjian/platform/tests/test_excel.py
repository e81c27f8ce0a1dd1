"""Excel output: Chinese headers, frozen header row, column widths, values and streaming."""

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from dangjian.platform.excel import write_workbook, xlsx_response


def test_workbook_has_chinese_headers_frozen_row_and_widths():
    buf = io.BytesIO()
    count = write_workbook(
        buf,
        headers=["姓名", "入党日期", "党费（元）", "是否预备党员"],
        rows=[
            ["张三", dt.date(2010, 7, 1), Decimal("12.50"), False],
            ["李四", None, Decimal("0.20"), True],
        ],
        title="党员名册",
        widths=[10, 14, 12, 8],
    )
    assert count == 2
    buf.seek(0)
    ws = load_workbook(buf)["党员名册"]
    assert [c.value for c in ws[1]] == ["姓名", "入党日期", "党费（元）", "是否预备党员"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 10
    assert ws.column_dimensions["B"].width == 14
    assert ws["A1"].font.bold
    assert ws["B2"].value.date() == dt.date(2010, 7, 1)
    assert ws["C2"].value == 12.5
    assert ws["D2"].value == "否" and ws["D3"].value == "是"
    assert ws["B3"].value in ("", None)


def test_default_widths_grow_with_the_header():
    buf = io.BytesIO()
    write_workbook(buf, headers=["号", "一个很长很长的列标题"], rows=[])
    buf.seek(0)
    ws = load_workbook(buf).active
    assert ws.column_dimensions["A"].width == 10
    assert ws.column_dimensions["B"].width == 24


def test_a_large_list_streams_from_a_generator():
    rows = ([i, f"客户{i}"] for i in range(20_000))
    response = xlsx_response(filename="客户.xlsx", headers=["序号", "店名"], rows=rows)
    content = b"".join(response.streaming_content)
    assert "filename*=UTF-8''%E5%AE%A2%E6%88%B7.xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(content), read_only=True).active
    assert sum(1 for _ in ws.iter_rows()) == 20_001
