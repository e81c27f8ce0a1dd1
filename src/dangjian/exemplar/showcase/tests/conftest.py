import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile

from dangjian.exemplar.showcase import services

# A day in the year's last quarter: commitments of the year may be reviewed.
Q4_DAY = dt.date(2026, 11, 20)


def jpeg_bytes(color="red", size=(60, 80)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def give_photo(person) -> None:
    person.photo.save("p.jpg", ContentFile(jpeg_bytes()), save=True)


@pytest.fixture
def card(cast):
    """李四's card (the same-branch member), created by his secretary."""
    return services.card_ensure(actor=cast.secretary, person=cast.people.member)


@pytest.fixture
def commitment(cast, card):
    return services.commitment_save(
        actor=cast.member,
        card=card,
        year=Q4_DAY.year,
        text="全年走访零售客户不少于300户\n帮助困难客户2户",
        today=Q4_DAY,
    )
