"""QR codes as data URIs and inline SVG."""

import base64
import io

import pytest
from PIL import Image

from dangjian.platform.qr import qr_png_data_uri, qr_svg_data_uri, qr_svg_inline


def test_png_data_uri_is_a_real_square_png():
    uri = qr_png_data_uri("https://dangjian.example/c/360101000001", scale=3)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.format == "PNG"
    assert image.width == image.height > 21 * 3


def test_svg_data_uri_and_inline_svg():
    assert qr_svg_data_uri("党建+").startswith("data:image/svg+xml")
    svg = qr_svg_inline("党建+")
    assert svg.startswith("<svg") and "path" in svg


def test_longer_content_gives_a_bigger_code():
    small = Image.open(io.BytesIO(base64.b64decode(qr_png_data_uri("a").split(",")[1])))
    big = Image.open(io.BytesIO(base64.b64decode(qr_png_data_uri("a" * 200).split(",")[1])))
    assert big.width > small.width


def test_empty_content_is_refused():
    with pytest.raises(ValueError):
        qr_png_data_uri("")
