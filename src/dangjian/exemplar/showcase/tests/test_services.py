import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.exemplar.showcase import services
from dangjian.exemplar.showcase.models import Commitment, CommitmentFile, MemberCard

from .conftest import Q4_DAY, jpeg_bytes


def test_a_member_gets_his_card_on_first_use_with_his_unit_as_department(cast):
    card = services.card_ensure(actor=cast.member, person=cast.people.member)
    assert card.department == "东湖县局"
    assert card.is_published and len(card.public_token) >= 20
    assert services.card_ensure(actor=cast.member, person=cast.people.member) == card
    assert MemberCard.objects.count() == 1


def test_a_member_cannot_create_another_members_card(cast):
    with pytest.raises(PermissionDenied):
        services.card_ensure(actor=cast.member, person=cast.people.secretary)


def test_an_outsider_cannot_create_a_card_in_another_branch(cast):
    with pytest.raises(PermissionDenied):
        services.card_ensure(actor=cast.outsider, person=cast.people.member)
    assert not MemberCard.objects.exists()


def test_someone_who_is_not_a_member_has_no_card(cast):
    with pytest.raises(ValidationError) as exc:
        services.card_ensure(actor=cast.office, person=cast.people.manager)
    assert "person" in exc.value.message_dict


def test_the_secretary_creates_the_missing_cards_of_his_branch_once(cast):
    assert services.cards_ensure_for_branch(actor=cast.secretary, branch=cast.city.east_branch) == 3
    assert services.cards_ensure_for_branch(actor=cast.secretary, branch=cast.city.east_branch) == 0
    assert MemberCard.objects.count() == 3
    assert MemberCard.history.count() == 3


def test_an_outsider_cannot_create_the_cards_of_another_branch(cast):
    with pytest.raises(PermissionDenied):
        services.cards_ensure_for_branch(actor=cast.outsider, branch=cast.city.east_branch)
    assert not MemberCard.objects.exists()


def test_a_model_post_needs_its_name_and_nothing_is_saved_otherwise(cast, card):
    with pytest.raises(ValidationError) as exc:
        services.card_update(
            actor=cast.secretary,
            card=card,
            is_model_post=True,
            model_post_name=" ",
            department="营销部",
            is_published=True,
        )
    assert exc.value.message_dict["model_post_name"] == ["设为党员示范岗时须填写示范岗名称"]
    card.refresh_from_db()
    assert not card.is_model_post and card.department == "东湖县局"


def test_the_secretary_sets_the_badge_and_history_records_it(cast, card):
    services.card_update(
        actor=cast.secretary,
        card=card,
        is_model_post=True,
        model_post_name="文明服务示范岗",
        department="营销部",
        is_published=True,
    )
    card.refresh_from_db()
    assert card.is_model_post and card.model_post_name == "文明服务示范岗"
    assert card.history.first().history_user == cast.secretary


def test_a_member_cannot_change_his_own_badge(cast, card):
    with pytest.raises(PermissionDenied):
        services.card_update(
            actor=cast.member,
            card=card,
            is_model_post=True,
            model_post_name="自封示范岗",
            department="",
            is_published=True,
        )


def test_a_member_writes_and_rewrites_his_commitments_for_the_year(cast, card):
    today = dt.date(2026, 3, 1)
    first = services.commitment_save(
        actor=cast.member, card=card, year=2026, text="  走访客户300户  ", today=today
    )
    again = services.commitment_save(
        actor=cast.member, card=card, year=2026, text="走访客户300户\n学习32学时", today=today
    )
    assert first.pk == again.pk and Commitment.objects.count() == 1
    assert again.items == ["走访客户300户", "学习32学时"]
    assert again.history.count() == 2


def test_the_secretary_may_write_a_members_commitments(cast, card):
    services.commitment_save(
        actor=cast.secretary, card=card, year=2026, text="代写承诺", today=dt.date(2026, 3, 1)
    )
    assert Commitment.objects.get().created_by == cast.secretary


def test_a_member_cannot_write_another_members_commitments(cast):
    other = services.card_ensure(actor=cast.secretary, person=cast.people.probationary)
    with pytest.raises(PermissionDenied):
        services.commitment_save(actor=cast.member, card=other, year=2026, text="x")


def test_an_outsider_cannot_write_commitments_in_another_branch(cast, card):
    with pytest.raises(PermissionDenied):
        services.commitment_save(actor=cast.outsider, card=card, year=2026, text="x")


@pytest.mark.parametrize("year", [2025, 2028])
def test_commitments_are_written_for_this_or_the_coming_year_only(cast, card, year):
    with pytest.raises(ValidationError) as exc:
        services.commitment_save(
            actor=cast.member, card=card, year=year, text="承诺", today=dt.date(2026, 3, 1)
        )
    assert exc.value.message_dict["year"] == ["只能填写2026年或2027年的承诺"]
    assert not Commitment.objects.exists()


def test_a_huge_commitment_is_refused_naming_the_field(cast, card):
    with pytest.raises(ValidationError) as exc:
        services.commitment_save(
            actor=cast.member, card=card, year=2026, text="诺" * 200_000, today=dt.date(2026, 3, 1)
        )
    assert "承诺内容不能超过1000个字" in exc.value.message_dict["text"][0]
    assert not Commitment.objects.exists()


def test_an_empty_commitment_is_refused(cast, card):
    with pytest.raises(ValidationError) as exc:
        services.commitment_save(
            actor=cast.member, card=card, year=2026, text=" \n ", today=dt.date(2026, 3, 1)
        )
    assert exc.value.message_dict["text"] == ["请填写承诺内容"]


def test_commitments_are_reviewed_only_from_the_last_quarter(cast, commitment):
    with pytest.raises(ValidationError) as exc:
        services.commitment_review(
            actor=cast.secretary,
            commitment=commitment,
            result="kept",
            evidence="全年走访312户",
            today=dt.date(2026, 9, 30),
        )
    assert exc.value.message_dict["result"] == ["2026年的承诺自2026-10-01起方可评定（年底评定）"]
    reviewed = services.commitment_review(
        actor=cast.secretary,
        commitment=commitment,
        result="partly",
        evidence="走访312户；帮扶1户",
        today=dt.date(2026, 10, 1),
    )
    assert reviewed.result == "partly" and reviewed.reviewed_by == cast.secretary


def test_a_review_needs_its_evidence(cast, commitment):
    with pytest.raises(ValidationError) as exc:
        services.commitment_review(
            actor=cast.secretary, commitment=commitment, result="kept", evidence="", today=Q4_DAY
        )
    assert exc.value.message_dict["evidence"] == ["请填写践诺情况说明（事实依据）"]
    commitment.refresh_from_db()
    assert commitment.result == ""


def test_a_member_cannot_review_his_own_commitments(cast, commitment):
    with pytest.raises(PermissionDenied):
        services.commitment_review(
            actor=cast.member,
            commitment=commitment,
            result="kept",
            evidence="都做到了",
            today=Q4_DAY,
        )


def test_a_reviewed_commitment_is_closed_to_edits(cast, card, commitment):
    services.commitment_review(
        actor=cast.secretary, commitment=commitment, result="kept", evidence="已践诺", today=Q4_DAY
    )
    with pytest.raises(ValidationError) as exc:
        services.commitment_save(
            actor=cast.member, card=card, year=2026, text="改一改", today=Q4_DAY
        )
    assert exc.value.message_dict["text"] == ["2026年的承诺已评定，不能再修改"]


def test_evidence_files_are_checked_before_they_are_stored(cast, commitment):
    with pytest.raises(ValidationError) as exc:
        services.commitment_file_add(
            actor=cast.secretary,
            commitment=commitment,
            upload=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"),
        )
    assert "file" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.commitment_file_add(
            actor=cast.secretary,
            commitment=commitment,
            upload=SimpleUploadedFile("fake.jpg", b"not an image", content_type="image/jpeg"),
        )
    row = services.commitment_file_add(
        actor=cast.member,
        commitment=commitment,
        upload=SimpleUploadedFile("走访照片.jpg", jpeg_bytes(), content_type="image/jpeg"),
    )
    assert CommitmentFile.objects.get() == row and row.content_type == "image/jpeg"


def test_an_outsider_cannot_attach_evidence(cast, commitment):
    with pytest.raises(PermissionDenied):
        services.commitment_file_add(
            actor=cast.outsider,
            commitment=commitment,
            upload=SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"),
        )
