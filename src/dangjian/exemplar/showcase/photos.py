"""The member's photo on his card: a small JPEG, as a data URI for the printed card (the PDF
renderer fetches nothing but ``data:``) or as bytes for the card views."""

from __future__ import annotations

import base64
import io

from PIL import Image, UnidentifiedImageError

# Large enough for 300 dpi at the card's 25 mm photo width; small enough for 60 per PDF.
PRINT_PX = 300


def photo_jpeg(person, *, px: int = PRINT_PX) -> bytes | None:
    """The person's photo scaled down to ``px`` on its longer side, or None."""
    if not person.photo:
        return None
    try:
        with person.photo.open("rb") as handle, Image.open(handle) as image:
            image = image.convert("RGB")
            image.thumbnail((px, px))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
            return out.getvalue()
    except (FileNotFoundError, OSError, UnidentifiedImageError, ValueError):
        return None


def photo_data_uri(person, *, px: int = PRINT_PX) -> str:
    data = photo_jpeg(person, px=px)
    if data is None:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(data).decode()
