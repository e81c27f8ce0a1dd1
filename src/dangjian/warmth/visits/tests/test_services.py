import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dangjian.platform.models import AuditEvent
from dangjian.warmth.visits import services
from dangjian.warmth.visits.models import (
    LastVisit,
    TailoredServiceType,
    Visit,
    VisitPhoto,
    VisitPlan,
)

from .conftest import jpeg

TODAY = timezone.localdate


def test_recording_a_visit_moves_the_customers_last_visit_and_is_audited(cast, record):
    first = record(visited_on=TODAY() - dt.timedelta(days=10))
    record(visited_on=TODAY() - dt.timedelta(days=20))  # back-filled: older, not the latest
    last = LastVisit.objects.get(customer=cast.customers.east)
    assert last.visited_on == first.visited_on
    assert last.visit_count == 2
    assert first.unit == cast.city.east_area
    assert AuditEvent.objects.filter(verb="visit.record").count() == 2


def test_photos_are_reencoded_jpegs_without_exif(cast, record):
    visit = record(photos=[("before", jpeg()), ("after", jpeg(colour="blue"))])
    photos = list(visit.photos.order_by("stage"))
    assert [p.stage for p in photos] == ["after", "before"]
    with photos[0].image.open("rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"


def test_a_file_that_is_not_an_image_saves_nothing(cast, record):
    fake = SimpleUploadedFile("shop.jpg", b"not an image at all", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        record(photos=[("before", jpeg()), ("after", fake)])
    assert "不是有效的图片文件" in str(caught.value.message_dict["photos"])
    assert not Visit.objects.exists()
    assert not VisitPhoto.objects.exists()
    assert not LastVisit.objects.exists()


def test_too_big_a_photo_is_refused_naming_the_limit(cast, record, settings):
    settings.PHOTO_MAX_MB = 0
    with pytest.raises(ValidationError) as caught:
        record(photos=[("before", jpeg())])
    assert "照片不能超过 0 MB" in caught.value.message_dict["photos"][0]


def test_no_more_than_six_photos(cast, record):
    with pytest.raises(ValidationError) as caught:
        record(photos=[("before", jpeg())] * 7)
    assert "最多 6 张" in caught.value.message_dict["photos"][0]


def test_a_visit_in_the_future_is_refused(cast, record):
    with pytest.raises(ValidationError) as caught:
        record(visited_on=TODAY() + dt.timedelta(days=1))
    assert "visited_on" in caught.value.message_dict


def test_a_tailored_visit_needs_a_service_type_of_the_customers_segment(cast, record, kind):
    with pytest.raises(ValidationError) as caught:
        record(kind=kind("tailored"))
    assert "须选择服务项目" in caught.value.message_dict["service_type"][0]
    vulnerable = TailoredServiceType.objects.filter(segment="vulnerable").first()
    with pytest.raises(ValidationError) as caught:
        record(kind=kind("tailored"), service_type=vulnerable)
    assert "弱势群体" in caught.value.message_dict["service_type"][0]
    cast.customers.east.vulnerable = True
    cast.customers.east.save()
    visit = record(kind=kind("tailored"), service_type=vulnerable)
    assert visit.service_type == vulnerable


def test_a_service_type_on_a_routine_visit_is_refused(cast, record):
    vulnerable = TailoredServiceType.objects.filter(segment="vulnerable").first()
    with pytest.raises(ValidationError) as caught:
        record(service_type=vulnerable)
    assert "service_type" in caught.value.message_dict


def test_a_follow_up_needs_both_date_and_text(cast, record):
    with pytest.raises(ValidationError) as caught:
        record(follow_up_on=TODAY())
    assert "follow_up" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        record(follow_up="回访")
    assert "follow_up_on" in caught.value.message_dict


def test_an_account_manager_records_only_for_his_own_customers(cast, record):
    # 曾小贤's shop is in the east bureau but has no account manager: not his.
    with pytest.raises(PermissionDenied):
        record(customer=cast.customers.east_bureau)
    with pytest.raises(PermissionDenied):
        record(customer=cast.customers.west)


def test_the_outsider_cannot_record_for_an_east_customer(cast, record):
    with pytest.raises(PermissionDenied):
        record(actor=cast.outsider, staff=cast.people.outsider)


def test_an_account_manager_cannot_name_someone_else_as_staff(cast, record):
    with pytest.raises(ValidationError) as caught:
        record(staff=cast.people.member)
    assert "staff" in caught.value.message_dict


def test_the_office_records_for_a_staff_member(cast, record):
    visit = record(actor=cast.office, staff=cast.people.member)
    assert visit.staff == cast.people.member


def test_a_follow_up_is_closed_with_its_result(cast, record):
    visit = record(follow_up_on=TODAY(), follow_up="补送资料")
    services.visit_follow_up_done(actor=cast.manager, visit=visit, result="已送达")
    visit.refresh_from_db()
    assert visit.follow_up_done_on == TODAY()
    assert not visit.follow_up_open
    with pytest.raises(ValidationError):
        services.visit_follow_up_done(actor=cast.manager, visit=visit, result="again")


def test_changing_the_date_recomputes_the_last_visit(cast, record, kind):
    old = record(visited_on=TODAY() - dt.timedelta(days=30))
    newer = record(visited_on=TODAY() - dt.timedelta(days=5))
    services.visit_update(
        actor=cast.manager,
        visit=newer,
        staff=cast.people.manager,
        visited_on=TODAY() - dt.timedelta(days=40),
        kind=kind("counter"),
    )
    assert LastVisit.objects.get(customer=cast.customers.east).visited_on == old.visited_on


def test_deleting_the_only_visit_clears_the_last_visit(cast, record):
    visit = record()
    with pytest.raises(PermissionDenied):
        services.visit_delete(actor=cast.manager, visit=visit)  # managers may not delete
    services.visit_delete(actor=cast.office, visit=visit)
    assert not LastVisit.objects.exists()


def test_only_the_office_edits_the_visit_plans(cast):
    plan = VisitPlan(name="经营能力强", segment="strong_operator", every_days=10)
    with pytest.raises(PermissionDenied):
        services.catalogue_save(actor=cast.manager, instance=plan)
    services.catalogue_save(actor=cast.office, instance=plan)
    assert plan.pk


def test_a_reversed_tier_range_names_the_field(cast):
    plan = VisitPlan(name="错误", tier_min=20, tier_max=10, every_days=7)
    with pytest.raises(ValidationError) as caught:
        services.catalogue_save(actor=cast.office, instance=plan)
    assert "tier_max" in caught.value.message_dict
    assert not VisitPlan.objects.filter(name="错误").exists()


def test_a_discussion_takes_only_members_of_the_branch(cast):
    with pytest.raises(ValidationError) as caught:
        services.discussion_record(
            actor=cast.secretary,
            branch=cast.city.east_branch,
            held_on=TODAY(),
            topics="假如我是服务对象",
            measures="改进",
            participants=[cast.people.west_member],
        )
    assert "钱七" in caught.value.message_dict["participants"][0]
    discussion = services.discussion_record(
        actor=cast.secretary,
        branch=cast.city.east_branch,
        held_on=TODAY(),
        topics="假如我是服务对象",
        measures="改进",
        participants=[cast.people.member],
    )
    assert list(discussion.participants.all()) == [cast.people.member]


def test_the_outsider_cannot_record_a_discussion_for_another_branch(cast):
    with pytest.raises(PermissionDenied):
        services.discussion_record(
            actor=cast.outsider,
            branch=cast.city.east_branch,
            held_on=TODAY(),
            topics="x",
            measures="y",
        )
