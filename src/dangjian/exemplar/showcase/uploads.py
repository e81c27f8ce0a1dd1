"""Evidence files (践诺佐证, 整改佐证): checked type, size and content before they are stored;
served only through scoped views, never from /media/."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EVIDENCE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_FILE_MB = 10


def check_evidence_upload(upload) -> str:
    """The content type to serve ``upload`` with; ValidationError on ``file`` otherwise."""
    from PIL import Image, UnidentifiedImageError

    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError(
            {
                "file": _("文件类型 %(s)s 不允许，可上传：%(ok)s")
                % {"s": suffix or "？", "ok": "、".join(EVIDENCE_TYPES)}
            }
        )
    if upload.size > MAX_FILE_MB * 1024 * 1024:
        raise ValidationError({"file": _("文件不能超过 %(mb)s MB") % {"mb": MAX_FILE_MB}})
    content_type = EVIDENCE_TYPES[suffix]
    head = upload.read(8)
    upload.seek(0)
    if content_type.startswith("image/"):
        try:
            Image.open(upload).verify()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ValidationError({"file": _("照片不是有效的图片文件")}) from exc
        finally:
            upload.seek(0)
    elif suffix == ".pdf" and not head.startswith(b"%PDF"):
        raise ValidationError({"file": _("文件内容不是 PDF")})
    elif suffix in (".docx", ".xlsx") and not head.startswith(b"PK"):
        raise ValidationError({"file": _("文件内容与扩展名 %(s)s 不符") % {"s": suffix}})
    return content_type
