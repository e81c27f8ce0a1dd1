import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dangjian.warmth.visits import services
from dangjian.warmth.visits.models import VisitKind


def jpeg(name="shop.jpg", size=(64, 48), colour="red") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def kind():
    return lambda code="routine": VisitKind.objects.get(code=code)


@pytest.fixture
def record(cast, kind):
    """``record(**overrides)`` → a visit to the east customer by the east account manager."""

    def _record(**overrides):
        values = {
            "actor": cast.manager,
            "customer": cast.customers.east,
            "staff": cast.people.manager,
            "visited_on": timezone.localdate() - dt.timedelta(days=1),
            "kind": kind(),
            "notes": "检查陈列",
        }
        values.update(overrides)
        return services.visit_record(**values)

    return _record


@pytest.fixture(autouse=True)
def _catalogue(db):
    """The migration's catalogue rows (a transactional test elsewhere may have flushed them)."""
    from dangjian.warmth.visits.catalogue import ensure_catalogue

    ensure_catalogue()
