"""QR codes (segno) for pages and PDFs, as data URIs or inline SVG — no files, no network.

A data URI works in an ``<img src>`` both in the browser and in WeasyPrint, so the same
template fragment serves a page and its printable PDF.
"""

from __future__ import annotations

import segno


def _make(data: str, error: str):
    if not data:
        raise ValueError("QR content must not be empty")
    # Error level M survives a crease or a smudge on a printed card.
    return segno.make(data, error=error, micro=False)


def qr_svg_data_uri(data: str, *, scale: int = 4, border: int = 2, error: str = "m") -> str:
    """``data:image/svg+xml`` URI of a QR code for ``data`` (sharp at any print size)."""
    return _make(data, error).svg_data_uri(scale=scale, border=border)


def qr_png_data_uri(data: str, *, scale: int = 4, border: int = 2, error: str = "m") -> str:
    """``data:image/png;base64`` URI of a QR code (for places that dislike SVG)."""
    return _make(data, error).png_data_uri(scale=scale, border=border)


def qr_svg_inline(data: str, *, scale: int = 4, border: int = 2, error: str = "m") -> str:
    """The ``<svg>`` element itself, to place inline in a page (mark it safe in templates)."""
    return _make(data, error).svg_inline(scale=scale, border=border)
