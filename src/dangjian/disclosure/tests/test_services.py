import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dangjian.disclosure import services
from dangjian.disclosure.models import Notice, Objection
from dangjian.disclosure.selectors import notice_reaches, visible_notices
from dangjian.notifications.models import Message
from dangjian.platform.models import AuditEvent

from .conftest import MONDAY

WEDNESDAY = MONDAY + dt.timedelta(days=2)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def test_saving_a_draft_computes_the_end_of_the_public_period(make_notice):
    notice = make_notice()
    assert notice.status == Notice.Status.DRAFT
    assert notice.ends_on == dt.date(2026, 11, 6)
    assert not notice.ends_on_provisional


def test_a_period_in_an_uncovered_year_is_marked_provisional(make_notice):
    notice = make_notice(starts_on=dt.date(2031, 3, 3))
    assert notice.ends_on_provisional
    assert "2031" in notice.provisional_reason


def test_a_pre_appointment_notice_shorter_than_five_working_days_is_refused(make_notice):
    with pytest.raises(ValidationError) as exc:
        make_notice(working_days=3)
    message = exc.value.message_dict["working_days"][0]
    assert "5" in message and "党政领导干部选拔任用工作条例" in message
    assert not Notice.objects.exists()


def test_a_party_affairs_notice_may_be_short(make_notice):
    assert make_notice(kind=Notice.Kind.PARTY_AFFAIRS, working_days=2).working_days == 2


def test_chosen_audience_needs_organisations(make_notice):
    with pytest.raises(ValidationError) as exc:
        make_notice(audience=Notice.Audience.CHOSEN)
    assert "audience_orgs" in exc.value.message_dict


def test_an_outsider_cannot_issue_for_another_branch(make_notice, cast):
    with pytest.raises(PermissionDenied):
        make_notice(actor=cast.outsider)
    assert not Notice.objects.exists()


def test_publishing_moves_a_past_start_to_today_and_recomputes(make_notice, cast):
    notice = make_notice(starts_on=MONDAY - dt.timedelta(days=14))
    notice = services.notice_publish(actor=cast.secretary, notice=notice, today=MONDAY)
    assert notice.status == Notice.Status.PUBLISHED
    assert (notice.starts_on, notice.ends_on) == (MONDAY, dt.date(2026, 11, 6))
    with pytest.raises(ValidationError):
        services.notice_publish(actor=cast.secretary, notice=notice, today=MONDAY)


def test_a_published_notice_cannot_be_edited(make_notice, cast):
    notice = make_notice(publish=True)
    notice.title = "改过的标题"
    with pytest.raises(ValidationError):
        services.notice_save(actor=cast.secretary, notice=notice)


def test_the_audience_decides_who_reads(make_notice, cast):
    subtree = make_notice(publish=True)
    chosen = make_notice(
        publish=True,
        issuing_org=cast.city.committee,
        actor=cast.office,
        audience=Notice.Audience.CHOSEN,
        audience_orgs=[cast.city.west_branch],
        title="西山县局支部党务公开",
        kind=Notice.Kind.PARTY_AFFAIRS,
    )
    public = make_notice(publish=True, audience=Notice.Audience.PUBLIC, title="公开的任前公示")
    draft = make_notice(title="草稿")
    assert set(visible_notices(cast.member)) == {subtree, public}
    assert set(visible_notices(cast.outsider)) == {chosen, public}
    assert draft in set(visible_notices(cast.secretary))
    assert notice_reaches(cast.member, subtree) and not notice_reaches(cast.outsider, subtree)


def test_a_member_objects_by_name_and_the_secretary_is_told(
    make_notice, cast, django_capture_on_commit_callbacks
):
    notice = make_notice(publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.objection_submit(
            actor=cast.member,
            notice=notice,
            content="任职年限不符",
            anonymous=False,
            today=WEDNESDAY,
        )
    assert objection.submitted_by == cast.member
    assert objection.channel == Objection.Channel.MEMBER
    assert Message.objects.filter(subject__contains="公示异议").exists()


def test_an_anonymous_objection_keeps_nothing_about_the_submitter(make_notice, cast):
    notice = make_notice(publish=True)
    objection = services.objection_submit(
        actor=cast.member, notice=notice, content="有异议", anonymous=True, today=WEDNESDAY
    )
    objection.refresh_from_db()
    assert objection.submitted_by is None and objection.contact_name == ""
    event = AuditEvent.objects.get(verb="objection.submit")
    assert event.actor is None
    assert not hasattr(Objection, "history")
    assert not Objection.objects.restrict(cast.member).exists()  # not even he can find it


def test_objections_only_during_the_period_and_only_from_the_audience(make_notice, cast):
    notice = make_notice(publish=True)
    with pytest.raises(ValidationError) as exc:
        services.objection_submit(
            actor=cast.member, notice=notice, content="晚了", anonymous=False, today=NEXT_MONDAY
        )
    assert "不在公示期内" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.objection_submit(
            actor=cast.outsider, notice=notice, content="x", anonymous=False, today=WEDNESDAY
        )
    with pytest.raises(ValidationError):
        services.objection_submit(
            actor=cast.member, notice=notice, content="  ", anonymous=False, today=WEDNESDAY
        )
    assert not Objection.objects.exists()


def test_the_result_waits_for_answers_and_for_the_end_of_the_period(make_notice, cast):
    notice = make_notice(publish=True)
    objection = services.objection_submit(
        actor=cast.member, notice=notice, content="请核实", anonymous=True, today=WEDNESDAY
    )
    with pytest.raises(ValidationError) as exc:
        services.notice_close(
            actor=cast.secretary, notice=notice, result="objection_not_upheld", today=NEXT_MONDAY
        )
    assert "未答复" in exc.value.message_dict["result"][0]
    with pytest.raises(ValidationError):
        services.objection_answer(actor=cast.secretary, objection=objection, finding="", answer="")
    services.objection_answer(
        actor=cast.secretary, objection=objection, finding="not_upheld", answer="经核实不属实"
    )
    with pytest.raises(ValidationError) as exc:
        services.notice_close(
            actor=cast.secretary, notice=notice, result="objection_not_upheld", today=WEDNESDAY
        )
    assert "期满后" in exc.value.message_dict["result"][0]
    with pytest.raises(ValidationError):
        services.notice_close(
            actor=cast.secretary, notice=notice, result="no_objection", today=NEXT_MONDAY
        )
    closed = services.notice_close(
        actor=cast.secretary,
        notice=notice,
        result="objection_not_upheld",
        note="经组织核实，反映问题不影响任用",
        today=NEXT_MONDAY,
    )
    assert closed.status == Notice.Status.CLOSED
    assert closed.get_result_display() == "有异议，经核实不影响"


def test_only_the_issuing_side_answers(make_notice, cast):
    notice = make_notice(publish=True)
    objection = services.objection_submit(
        actor=cast.member, notice=notice, content="x", anonymous=False, today=WEDNESDAY
    )
    for user in (cast.member, cast.outsider, cast.auditor):
        with pytest.raises(PermissionDenied):
            services.objection_answer(actor=user, objection=objection, finding="upheld", answer="a")


def test_the_public_channel_takes_only_public_notices_and_needs_a_contact(make_notice, cast):
    internal = make_notice(publish=True)
    with pytest.raises(PermissionDenied):
        services.objection_submit(notice=internal, content="x", anonymous=True, today=WEDNESDAY)
    public = make_notice(publish=True, audience=Notice.Audience.PUBLIC)
    with pytest.raises(ValidationError) as exc:
        services.objection_submit(notice=public, content="x", anonymous=False, today=WEDNESDAY)
    assert {"contact_name", "contact_phone"} <= set(exc.value.message_dict)
    services.objection_submit(
        notice=public,
        content="群众反映",
        anonymous=False,
        contact_name="王大妈",
        contact_phone="13900001111",
        nonce="n1",
        today=WEDNESDAY,
    )
    with pytest.raises(ValidationError) as exc:
        services.objection_submit(
            notice=public, content="再来一次", anonymous=True, nonce="n1", today=WEDNESDAY
        )
    assert "已提交过" in exc.value.messages[0]
    assert Objection.objects.get().contact_phone == "13900001111"


def test_attachments_are_checked(make_notice, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    notice = make_notice()
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            actor=cast.secretary, notice=notice, upload=SimpleUploadedFile("x.exe", b"MZ")
        )
    assert "类型" in exc.value.message_dict["file"][0]
    attachment = services.attachment_add(
        actor=cast.secretary, notice=notice, upload=SimpleUploadedFile("考察材料.pdf", b"%PDF")
    )
    assert attachment.name == "考察材料.pdf"


def test_a_named_submitter_is_told_the_answer(
    make_notice, cast, django_capture_on_commit_callbacks
):
    from dangjian.notifications.models import Delivery

    notice = make_notice(publish=True)
    objection = services.objection_submit(
        actor=cast.member, notice=notice, content="请核实", anonymous=False, today=WEDNESDAY
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_answer(
            actor=cast.secretary, objection=objection, finding="partly", answer="部分属实，已整改"
        )
    assert Delivery.objects.filter(user=cast.member, message__body="部分属实，已整改").exists()
