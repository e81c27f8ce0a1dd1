"""Visit photos: only real images within the size limit are kept, re-encoded as JPEG (which
drops EXIF, GPS position included) and bounded in pixels, so a phone's 12 MP shot of a
counter display is stored at a size a list page can show."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
MAX_PHOTOS_PER_VISIT = 6


def reencode_image(upload, *, field: str = "photos"):
    """A re-encoded JPEG of ``upload`` or a ``ValidationError`` naming ``field``."""
    limit_mb = getattr(settings, "PHOTO_MAX_MB", 5)
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            {field: _("照片不能超过 %(mb)s MB（%(name)s）") % {"mb": limit_mb, "name": upload.name}}
        )
    try:
        upload.seek(0)
        image = Image.open(upload)
        if image.width * image.height > MAX_PIXELS:
            raise ValidationError({field: _("照片尺寸过大（%(name)s）") % {"name": upload.name}})
        image.verify()
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError(
            {field: _("不是有效的图片文件（%(name)s）") % {"name": upload.name}}
        ) from exc
    # A phone stores "rotate me" in EXIF; apply it before EXIF is dropped.
    image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82)
    return InMemoryUploadedFile(out, "image", "visit.jpg", "image/jpeg", out.tell(), None)
