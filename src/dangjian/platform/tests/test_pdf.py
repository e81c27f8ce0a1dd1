"""PDF output: Chinese text really in the file, page sizes, embedded QR, long tables capped."""

import datetime as dt
import io
import time

import pytest
from pypdf import PdfReader

from dangjian.platform.pdf import pdf_response, render_pdf, table_pdf
from dangjian.platform.qr import qr_png_data_uri, qr_svg_data_uri

MM = 72 / 25.4  # PDF points per millimetre


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF")
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    return "".join(page.extract_text() for page in reader.pages)


def size_mm(page) -> tuple[int, int]:
    box = page.mediabox
    return round(float(box.width) / MM), round(float(box.height) / MM)


def embedded_images(page) -> int:
    """Raster images and vector forms (an SVG becomes a form XObject) drawn on the page."""
    found = len(page.images)
    resources = page.get("/Resources") or {}
    xobjects = resources.get("/XObject") or {}
    for ref in xobjects.values():
        if ref.get_object().get("/Subtype") == "/Form":
            found += 1
    return found


def drawing_size(page) -> int:
    """Bytes of drawing operators; an SVG is drawn inline as vector paths."""
    return len(page.get_contents().get_data())


def uses_cjk_font(page) -> bool:
    fonts = (page.get("/Resources") or {}).get("/Font") or {}
    return any("CJK" in str(f.get_object().get("/BaseFont")) for f in fonts.values())


def test_a4_letter_carries_its_chinese_text_and_a_qr_code():
    pdf = render_pdf(
        "platform/pdf/letter.html",
        {
            "letterhead": "中共赣州市烟草公司委员会",
            "subject": "关于召开支部党员大会的通知",
            "recipient": "各党支部",
            "paragraphs": ["经研究，定于十月十日召开支部党员大会。", "请各支部按时参加。"],
            "signer": "党建办",
            "date": dt.date(2026, 9, 28),
            "qr": qr_png_data_uri("https://dangjian.example/meetings/1"),
            "qr_caption": "扫码签到",
        },
    )
    reader = read(pdf)
    assert size_mm(reader.pages[0]) == (210, 297)
    text = text_of(reader)
    for phrase in (
        "中共赣州市烟草公司委员会",
        "支部党员大会的通知",
        "请各支部按时参加",
        "2026年9月28日",
    ):
        assert phrase in text
    assert embedded_images(reader.pages[0]) >= 1
    assert uses_cjk_font(reader.pages[0])


@pytest.mark.parametrize(("page_size", "mm"), [("A6", (105, 148)), ("A5", (148, 210))])
def test_card_with_svg_qr_has_the_page_size_and_text(page_size, mm):
    context = {
        "heading": "中秋快乐",
        "name": "王小明",
        "lines": ["值此中秋佳节，祝您生意兴隆、阖家幸福！"],
        "footer": "东湖县局客户服务部",
        "qr_caption": "服务热线",
    }
    pdf = render_pdf(
        "platform/pdf/card.html",
        {**context, "qr": qr_svg_data_uri("tel:12313")},
        page_size=page_size,
    )
    without_qr = read(render_pdf("platform/pdf/card.html", context, page_size=page_size))
    reader = read(pdf)
    assert len(reader.pages) == 1
    assert size_mm(reader.pages[0]) == mm
    text = text_of(reader)
    assert "中秋快乐" in text and "王小明" in text and "生意兴隆" in text
    # the QR's modules are drawn as paths: a QR adds well over a kilobyte of drawing
    assert drawing_size(reader.pages[0]) > drawing_size(without_qr.pages[0]) + 1000


def test_unknown_page_size_is_refused():
    with pytest.raises(ValueError):
        render_pdf("platform/pdf/card.html", {}, page_size="B5")


def test_external_urls_are_never_fetched():
    # An <img> pointing at a server renders as nothing instead of making a request.
    pdf = render_pdf(
        "platform/pdf/letter.html",
        {"letterhead": "测试", "paragraphs": ["正文"], "qr": "http://127.0.0.1:9/x.png"},
    )
    assert embedded_images(read(pdf).pages[0]) == 0


def test_ten_thousand_rows_render_capped_with_a_visible_notice():
    rows = ((i, f"客户{i:05d}", "东湖县局人民路", "CZ1", i % 30) for i in range(10_000))
    started = time.monotonic()
    pdf, truncated = table_pdf(
        title="零售客户名单", headers=["序号", "店名", "地址", "编码", "档位"], rows=rows
    )
    elapsed = time.monotonic() - started
    assert truncated
    reader = read(pdf)
    first = reader.pages[0].extract_text()
    assert "零售客户名单" in first
    assert "PDF 仅显示前 1000 行" in first and "超过1000" in first
    assert "客户00999" in text_of(reader)
    assert elapsed < 120, f"capped table took {elapsed:.0f}s"


def test_known_total_is_named_in_the_notice_and_small_tables_are_not_capped():
    pdf, truncated = table_pdf(
        title="名单", headers=["姓名"], rows=[["张三"]], total=1, max_cells=10
    )
    assert not truncated and "仅显示" not in text_of(read(pdf))
    pdf, truncated = table_pdf(
        title="名单", headers=["姓名"], rows=[["张三"]] * 20, total=20, max_cells=10
    )
    assert truncated and "本表共 20 行" in text_of(read(pdf))


def test_pdf_response_names_the_file_in_chinese():
    response = pdf_response(b"%PDF-1.7", filename="通知.pdf", inline=False)
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "%E9%80%9A%E7%9F%A5.pdf" in response["Content-Disposition"]
