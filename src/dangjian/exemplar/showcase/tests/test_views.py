import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from dangjian.exemplar.showcase import services
from dangjian.exemplar.showcase.models import Commitment, MemberCard

from .conftest import give_photo


def _this_year():
    return timezone.localdate().year


def test_a_member_opens_his_card_and_writes_his_commitment(login, cast):
    client = login(cast.member)
    page = client.get(reverse("showcase:me"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "李四" in body and "我的亮身份卡" in body
    card = MemberCard.objects.get(person=cast.people.member)
    year = _this_year()
    response = client.post(
        reverse("showcase:commitment", args=[card.pk]),
        {"year_key": year, f"y{year}-year": year, f"y{year}-text": "走访客户300户\n学习56学时"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("showcase:me")
    body = client.get(reverse("showcase:me")).content.decode()
    assert "走访客户300户" in body and "学习56学时" in body


def test_a_refused_commitment_shows_the_field_and_saves_nothing(login, cast, card):
    year = _this_year()
    response = login(cast.member).post(
        reverse("showcase:commitment", args=[card.pk]),
        {"year_key": year, f"y{year}-year": year - 3, f"y{year}-text": "补写往年承诺"},
    )
    assert response.status_code == 422
    assert f"只能填写{year}年或{year + 1}年的承诺" in response.content.decode()
    assert not Commitment.objects.exists()


def test_the_public_page_shows_the_card_and_nothing_personal(client, cast, card):
    services.commitment_save(
        actor=cast.member, card=card, year=_this_year(), text="<script>alert(1)</script>热情服务"
    )
    services.card_update(
        actor=cast.secretary,
        card=card,
        is_model_post=True,
        model_post_name="文明服务示范岗",
        department="东湖营销部",
        is_published=True,
    )
    give_photo(cast.people.member)
    response = client.get(reverse("showcase:public", args=[card.public_token]))
    assert response.status_code == 200
    body = response.content.decode()
    person = cast.people.member
    assert (
        "李四" in body and "客户经理" in body and "文明服务示范岗" in body and "东湖营销部" in body
    )
    assert reverse("appraisal:public_rate", args=[card.public_token]) in body
    assert "评一评" in body
    assert "&lt;script&gt;" in body and "<script>alert" not in body
    for secret in (person.phone, person.id_number, person.birth_date.isoformat(), "/media/"):
        assert secret not in body
    photo = client.get(reverse("showcase:public_photo", args=[card.public_token]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_an_unpublished_card_or_a_wrong_token_is_404(client, cast, card):
    assert client.get(reverse("showcase:public", args=["no-such-token"])).status_code == 404
    MemberCard.objects.filter(pk=card.pk).update(is_published=False)
    assert client.get(reverse("showcase:public", args=[card.public_token])).status_code == 404
    assert client.get(reverse("showcase:public_photo", args=[card.public_token])).status_code == 404


def test_the_secretary_lists_searches_and_filters_his_branch_cards(
    login, cast, django_assert_max_num_queries
):
    services.cards_ensure_for_branch(actor=cast.secretary, branch=cast.city.east_branch)
    MemberCard.objects.filter(person=cast.people.member).update(
        is_model_post=True, model_post_name="示范岗"
    )
    client = login(cast.secretary)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("showcase:list")).content.decode()
    assert all(n in body for n in ("张三", "李四", "单雄信"))
    body = client.get(reverse("showcase:list") + "?q=ls").content.decode()
    assert "李四" in body and "张三" not in body
    body = client.get(reverse("showcase:list") + "?badge=yes").content.decode()
    assert "李四" in body and "单雄信" not in body


def test_the_card_list_shows_an_outsider_nothing_of_another_branch(login, cast, card):
    body = login(cast.outsider).get(reverse("showcase:list")).content.decode()
    assert "李四" not in body


def test_the_card_list_exports_to_excel(login, cast, commitment):
    response = login(cast.secretary).get(reverse("showcase:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [str(v) for row in book.active.iter_rows(values_only=True) for v in row]
    assert "李四" in cells and "东湖县局党支部" in cells


def test_the_secretary_edits_a_card_and_a_member_may_not(login, cast, card):
    url = reverse("showcase:edit", args=[card.pk])
    assert login(cast.member).get(url).status_code == 404
    response = login(cast.secretary).post(
        url, {"is_model_post": "on", "model_post_name": "", "department": "x", "is_published": "on"}
    )
    assert response.status_code == 422
    assert "示范岗名称：设为党员示范岗时须填写示范岗名称" in response.content.decode()
    response = login(cast.secretary).post(
        url,
        {
            "is_model_post": "on",
            "model_post_name": "服务标兵",
            "department": "x",
            "is_published": "",
        },
    )
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.model_post_name == "服务标兵" and not card.is_published


def test_the_card_detail_is_404_for_an_outsider(login, cast, card):
    assert login(cast.outsider).get(reverse("showcase:detail", args=[card.pk])).status_code == 404
    give_photo(cast.people.member)
    assert login(cast.outsider).get(reverse("showcase:photo", args=[card.pk])).status_code == 404
    assert login(cast.secretary).get(reverse("showcase:photo", args=[card.pk])).status_code == 200


def test_the_secretary_reviews_a_commitment_from_the_card_page(login, cast, card, monkeypatch):
    year = _this_year()
    commitment = services.commitment_save(actor=cast.member, card=card, year=year, text="承诺")
    monkeypatch.setattr(services, "review_opens_on", lambda y: dt.date(y, 1, 1))
    client = login(cast.secretary)
    assert "年终评定" in client.get(reverse("showcase:detail", args=[card.pk])).content.decode()
    response = client.post(
        reverse("showcase:review", args=[commitment.pk]),
        {f"r{commitment.pk}-result": "kept", f"r{commitment.pk}-evidence": "全部做到"},
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.result == "kept"


def test_the_secretary_prints_his_branch_a6_post_cards_in_one_pdf(login, cast):
    services.cards_ensure_for_branch(actor=cast.secretary, branch=cast.city.east_branch)
    give_photo(cast.people.member)
    client = login(cast.secretary)
    assert client.get(reverse("showcase:print")).status_code == 200
    response = client.get(
        reverse("showcase:print"), {"branch": cast.city.east_branch.pk, "size": "A6"}
    )
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 105  # A6
    text = reader.pages[1].extract_text()
    assert "李四" in text or "张三" in text or "单雄信" in text


def test_one_members_post_card_in_a5(login, cast, card):
    response = login(cast.secretary).get(reverse("showcase:postcard", args=[card.pk]) + "?size=A5")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    assert round(float(reader.pages[0].mediabox.width) / 72 * 25.4) == 148


def test_an_outsider_cannot_print_another_branchs_cards(login, cast, card):
    response = login(cast.outsider).get(
        reverse("showcase:print"), {"branch": cast.city.east_branch.pk, "size": "A6"}
    )
    assert response.status_code == 422  # the branch is not one of his choices
    assert login(cast.outsider).get(reverse("showcase:postcard", args=[card.pk])).status_code == 404


def test_the_secretary_creates_missing_cards_from_the_print_page(login, cast):
    response = login(cast.secretary).post(
        reverse("showcase:ensure"), {"e-branch": cast.city.east_branch.pk}
    )
    assert response.status_code == 302
    assert MemberCard.objects.count() == 3


@pytest.mark.parametrize("user", ["member", "outsider"])
def test_only_officers_create_a_branchs_cards(login, cast, user):
    login(getattr(cast, user)).post(
        reverse("showcase:ensure"), {"e-branch": cast.city.east_branch.pk}
    )
    assert not MemberCard.objects.exists()
