"""比学习 services: self-study, reflections, review and the originality check."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.accounts.roles import Role
from dangjian.conftest import make_person, make_user
from dangjian.exemplar.study import services
from dangjian.exemplar.study.models import (
    OriginalityMatch,
    OriginalitySetting,
    Reflection,
    ReflectionBand,
    ReflectionVersion,
    SelfStudy,
    StudyKind,
)
from dangjian.platform.models import AuditEvent

from .conftest import ESSAY, OTHER

TODAY = dt.date(2026, 11, 24)


def _add(cast, **extra):
    values = {
        "actor": cast.member,
        "studied_on": dt.date(2026, 10, 8),
        "topic": "《习近平谈治国理政》第四卷",
        "kind": StudyKind.objects.get(code="book"),
        "hours": Decimal("2"),
        "today": TODAY,
    }
    values.update(extra)
    return services.self_study_add(**values)


def test_a_member_logs_self_study_priced_by_its_kind(cast):
    entry = _add(cast, kind=StudyKind.objects.get(code="online"), hours=Decimal("3"))
    assert entry.person == cast.people.member
    assert entry.branch == cast.city.east_branch
    assert entry.points == Decimal("4.5")
    assert entry.status == SelfStudy.Status.SUBMITTED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic": "  "}, "topic"),
        ({"studied_on": dt.date(2026, 12, 1)}, "studied_on"),
        ({"studied_on": dt.date(2020, 1, 1)}, "studied_on"),
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("13")}, "hours"),
        ({"hours": Decimal("1.3")}, "hours"),
        ({"upload": SimpleUploadedFile("x.exe", b"MZ")}, "attachment"),
    ],
)
def test_bad_self_study_names_the_field_and_saves_nothing(cast, change, field):
    with pytest.raises(ValidationError) as exc:
        _add(cast, **change)
    assert field in exc.value.message_dict
    assert not SelfStudy.objects.exists()


def test_collective_study_cannot_be_logged_by_hand(cast):
    with pytest.raises(ValidationError) as exc:
        _add(cast, kind=StudyKind.objects.get(code="collective"))
    assert "kind" in exc.value.message_dict


def test_someone_without_a_membership_cannot_log_study(cast):
    with pytest.raises(PermissionDenied):
        _add(cast, actor=cast.manager)


def test_secretary_confirms_and_declines_with_a_reason(cast):
    first, second = _add(cast), _add(cast, topic="网络学院专题课")
    services.self_study_review(actor=cast.secretary, entry=first, confirm=True)
    with pytest.raises(ValidationError) as exc:
        services.self_study_review(actor=cast.secretary, entry=second, confirm=False)
    assert "note" in exc.value.message_dict
    services.self_study_review(
        actor=cast.secretary, entry=second, confirm=False, note="请补充学习笔记"
    )
    assert SelfStudy.objects.get(pk=first.pk).status == SelfStudy.Status.CONFIRMED
    assert SelfStudy.objects.get(pk=second.pk).review_note == "请补充学习笔记"


def test_nobody_confirms_his_own_study_or_another_branchs(cast):
    own = _add(cast, actor=cast.secretary)
    with pytest.raises(PermissionDenied):
        services.self_study_review(actor=cast.secretary, entry=own, confirm=True)
    with pytest.raises(PermissionDenied):
        services.self_study_review(actor=cast.outsider, entry=_add(cast), confirm=True)
    with pytest.raises(PermissionDenied):
        services.self_study_review(actor=cast.member, entry=_add(cast), confirm=True)


# ----------------------------------------------------------------------------- reflections


def test_submitting_a_reflection_keeps_version_one_and_indexes_it(cast, meeting):
    r = services.reflection_submit(
        actor=cast.member, title="主题党日心得", text=ESSAY, meeting=meeting
    )
    assert r.status == Reflection.Status.SUBMITTED and r.version == 1
    assert r.year == dt.date.today().year
    assert ReflectionVersion.objects.get(reflection=r).text == ESSAY
    assert ReflectionBand.objects.filter(reflection=r).count() == 32
    assert not r.flagged and r.checked_at is not None
    assert AuditEvent.objects.filter(verb="reflection.submit").exists()


def test_a_200000_character_post_is_refused_and_nothing_saved(cast):
    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(actor=cast.member, title="长文", text="学" * 200_000)
    assert "text" in exc.value.message_dict
    assert "20000" in exc.value.message_dict["text"][0]
    assert not Reflection.objects.exists() and not ReflectionBand.objects.exists()


def test_a_20000_character_text_is_accepted(cast):
    r = services.reflection_submit(actor=cast.member, title="长文", text=(ESSAY * 200)[:20_000])
    assert len(r.text) == 20_000


@pytest.mark.parametrize(
    ("title", "text", "field"), [("", ESSAY, "title"), ("t", "  ", "text"), ("t", "，。！", "text")]
)
def test_empty_title_or_text_is_refused(cast, title, text, field):
    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(actor=cast.member, title=title, text=text)
    assert field in exc.value.message_dict


def test_a_meeting_of_another_branch_cannot_be_linked(cast, meeting):
    meeting.branch = cast.city.west_branch
    meeting.save()
    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(actor=cast.member, title="t", text=ESSAY, meeting=meeting)
    assert "meeting" in exc.value.message_dict


def _west_member_user(cast):
    user = make_user("west_member", (Role.MEMBER, cast.city.west_branch))
    make_person("周九", cast.city.west_area, branch=cast.city.west_branch, user=user)
    return user


def test_a_copy_of_another_members_reflection_of_last_year_is_flagged(cast):
    west = _west_member_user(cast)
    source = services.reflection_submit(actor=west, title="去年的心得", text=ESSAY)
    Reflection.objects.filter(pk=source.pk).update(year=2025)
    copied = "学习心得：" + ESSAY.replace("，", "、")[:-20] + "以上是我的一点体会。"
    r = services.reflection_submit(actor=cast.member, title="我的心得", text=copied)
    assert r.flagged
    assert r.similarity >= 0.9
    match = OriginalityMatch.objects.get(reflection=r)
    assert match.source_id == source.pk and match.flagged and match.version == 1


def test_an_original_reflection_is_not_flagged(cast):
    services.reflection_submit(actor=_west_member_user(cast), title="a", text=ESSAY)
    r = services.reflection_submit(actor=cast.member, title="b", text=OTHER)
    assert not r.flagged
    assert not OriginalityMatch.objects.filter(reflection=r, flagged=True).exists()


def test_the_threshold_is_data(cast):
    services.reflection_submit(actor=_west_member_user(cast), title="a", text=ESSAY)
    half = ESSAY[: len(ESSAY) // 3] + OTHER
    OriginalitySetting.objects.create(
        effective_from=dt.date(2026, 1, 1), containment_threshold=Decimal("0.95")
    )
    assert services.threshold(dt.date(2026, 6, 1)) == Decimal("0.95")
    assert services.threshold(dt.date(2025, 6, 1)) == Decimal("0.50")
    r = services.reflection_submit(actor=cast.member, title="b", text=half)
    assert not r.flagged and r.similarity > 0.2


def test_secretary_returns_with_a_comment_and_the_member_resubmits(cast):
    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    with pytest.raises(ValidationError) as exc:
        services.reflection_review(actor=cast.secretary, reflection=r, accept=False, comment="")
    assert "comment" in exc.value.message_dict
    services.reflection_review(
        actor=cast.secretary, reflection=r, accept=False, comment="请结合岗位实际再谈谈"
    )
    r.refresh_from_db()
    assert r.status == Reflection.Status.RETURNED
    v1 = ReflectionVersion.objects.get(reflection=r, number=1)
    assert v1.outcome == "returned" and v1.review_comment == "请结合岗位实际再谈谈"

    services.reflection_resubmit(actor=cast.member, reflection=r, title="修改稿", text=OTHER)
    r.refresh_from_db()
    assert (r.version, r.status, r.title) == (2, Reflection.Status.SUBMITTED, "修改稿")
    # Only the current text is indexed: the first version's bands are gone.
    assert ReflectionBand.objects.filter(reflection=r).count() == 32
    assert not services.find_similar(ESSAY)
    services.reflection_review(actor=cast.secretary, reflection=r, accept=True, comment="")
    assert Reflection.objects.get(pk=r.pk).status == Reflection.Status.ACCEPTED
    assert list(r.versions.values_list("number", "outcome")) == [(1, "returned"), (2, "accepted")]


def test_a_resubmission_is_not_flagged_against_its_own_earlier_version(cast):
    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    services.reflection_review(actor=cast.secretary, reflection=r, accept=False, comment="再改改")
    services.reflection_resubmit(
        actor=cast.member, reflection=r, title="初稿", text=ESSAY + "补充。"
    )
    assert not Reflection.objects.get(pk=r.pk).flagged


def test_only_the_author_resubmits_and_only_when_returned(cast):
    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    with pytest.raises(ValidationError):
        services.reflection_resubmit(actor=cast.member, reflection=r, title="x", text=OTHER)
    services.reflection_review(actor=cast.secretary, reflection=r, accept=False, comment="改")
    with pytest.raises(PermissionDenied):
        services.reflection_resubmit(actor=cast.secretary, reflection=r, title="x", text=OTHER)


def test_outsider_and_author_cannot_review(cast):
    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    with pytest.raises(PermissionDenied):
        services.reflection_review(actor=cast.outsider, reflection=r, accept=True, comment="")
    with pytest.raises(PermissionDenied):
        services.reflection_review(actor=cast.member, reflection=r, accept=True, comment="")


def test_returning_tells_the_author(cast, django_capture_on_commit_callbacks):
    from dangjian.notifications.models import Message

    r = services.reflection_submit(actor=cast.member, title="初稿", text=ESSAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.reflection_review(actor=cast.secretary, reflection=r, accept=False, comment="再改")
    assert Message.objects.filter(subject__contains="初稿").exists()
