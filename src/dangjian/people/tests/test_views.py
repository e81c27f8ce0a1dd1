"""People pages: the form derives and checks what an ID number says, photos are checked and
re-encoded, personal data is masked, revealed only with a log entry, and never stored in clear."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from dangjian.conftest import make_person
from dangjian.people.models import Membership, Person
from dangjian.platform import idcard
from dangjian.platform.models import AccessLog

ID_1990 = idcard.make("360102", dt.date(1990, 3, 7), 123)  # odd sequence → male


def person_data(cast, **extra):
    data = {
        "name": "周新",
        "id_number": ID_1990,
        "gender": "",
        "birth_date": "",
        "ethnicity": "汉族",
        "education": "bachelor",
        "unit": cast.city.east.pk,
        "post": "专卖管理员",
        "title": "",
        "phone": "13912345678",
        "employed_on": "",
        "left_on": "",
    }
    data.update(extra)
    return data


def image_file(fmt="PNG", size=(60, 80), name="photo.png"):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def test_office_creates_a_person_and_birth_date_and_gender_come_from_the_id_number(cast, login):
    response = login(cast.office).post(reverse("people:create"), person_data(cast))
    person = Person.objects.get(name="周新")
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.birth_date == dt.date(1990, 3, 7)
    assert person.gender == "M"


def test_a_birth_date_that_contradicts_the_id_number_is_refused_naming_the_field(cast, login):
    response = login(cast.secretary).post(
        reverse("people:create"), person_data(cast, birth_date="1991-03-07")
    )
    assert response.status_code == 200
    assert "出生日期：出生日期与身份证号不一致" in response.content.decode()
    assert not Person.objects.filter(name="周新").exists()


def test_a_wrong_check_digit_is_refused_in_chinese(cast, login):
    bad = ID_1990[:17] + ("0" if ID_1990[17] != "0" else "1")
    response = login(cast.secretary).post(
        reverse("people:create"), person_data(cast, id_number=bad)
    )
    assert "身份证号：身份证号校验位错误" in response.content.decode()


def test_the_same_id_number_cannot_be_registered_twice(cast, login):
    existing = cast.people.member.id_number
    response = login(cast.secretary).post(
        reverse("people:create"), person_data(cast, id_number=existing)
    )
    assert "该身份证号已登记" in response.content.decode()


def test_a_malformed_phone_is_refused(cast, login):
    response = login(cast.secretary).post(reverse("people:create"), person_data(cast, phone="1234"))
    assert "手机号码应为以1开头的11位数字" in response.content.decode()


def membership_data(cast, **extra):
    data = {
        "is_member": "on",
        "m-branch": cast.city.east_branch.pk,
        "m-group": "",
        "m-status": "full",
        "m-standing": "normal",
        "m-standing_since": "",
        "m-joined_on": "2015-07-01",
        "m-full_member_on": "2016-07-01",
    }
    data.update(extra)
    return data


def test_a_secretary_registers_only_party_members(cast, login):
    response = login(cast.secretary).post(reverse("people:create"), person_data(cast))
    assert "请勾选“是中共党员”" in response.content.decode()
    assert not Person.objects.filter(name="周新").exists()


def test_a_secretary_adds_a_member_to_his_branch_and_then_sees_him(cast, login):
    client = login(cast.secretary)
    response = client.post(reverse("people:create"), person_data(cast) | membership_data(cast))
    assert client.get(response["Location"]).status_code == 200


def test_a_member_is_created_with_his_membership(cast, login):
    data = person_data(cast) | membership_data(cast, **{"m-group": cast.city.east_group.pk})
    login(cast.secretary).post(reverse("people:create"), data)
    membership = Membership.objects.get(person__name="周新")
    assert membership.group == cast.city.east_group
    assert membership.party_years >= 1


def test_a_full_member_needs_the_full_member_date(cast, login):
    data = person_data(cast) | membership_data(cast, **{"m-full_member_on": ""})
    response = login(cast.secretary).post(reverse("people:create"), data)
    assert "正式党员必须填写转正日期" in response.content.decode()
    assert not Person.objects.filter(name="周新").exists()


def test_the_group_must_belong_to_the_branch(cast, login):
    other_group = cast.city.west_branch.add_child(name="西山党小组", code="P-WG", kind="group")
    data = person_data(cast) | membership_data(
        cast, **{"m-branch": cast.city.west_branch.pk, "m-group": cast.city.east_group.pk}
    )
    response = login(cast.office).post(reverse("people:create"), data)
    assert "党小组必须属于所在支部" in response.content.decode()
    assert other_group.pk


def test_a_secretary_cannot_put_a_member_into_another_branch(cast, login):
    data = person_data(cast) | membership_data(cast, **{"m-branch": cast.city.west_branch.pk})
    response = login(cast.secretary).post(reverse("people:create"), data)
    assert response.status_code == 200
    assert not Person.objects.filter(name="周新").exists()


def test_form_errors_of_person_and_membership_show_together(cast, login):
    data = person_data(cast, phone="12") | membership_data(cast, **{"m-joined_on": ""})
    body = login(cast.secretary).post(reverse("people:create"), data).content.decode()
    assert "手机号码应为以1开头的11位数字" in body
    assert "入党日期：" in body


# --- photos -------------------------------------------------------------------------------


def test_a_valid_png_photo_is_stored_as_a_jpeg(cast, login):
    data = person_data(cast, photo=image_file())
    login(cast.office).post(reverse("people:create"), data)
    person = Person.objects.get(name="周新")
    assert person.photo.name.endswith(".jpg")
    with person.photo.open("rb") as fh:
        assert Image.open(fh).format == "JPEG"
    response = login(cast.office).get(reverse("people:photo", args=[person.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"


def test_a_text_file_renamed_jpg_is_refused(cast, login):
    fake = SimpleUploadedFile("photo.jpg", b"not an image at all", content_type="image/jpeg")
    response = login(cast.secretary).post(reverse("people:create"), person_data(cast, photo=fake))
    assert response.status_code == 200
    assert not Person.objects.filter(name="周新").exists()
    assert "照片" in response.content.decode()
    assert "图片" in response.content.decode()


def test_a_photo_over_the_size_limit_is_refused(cast, login, settings):
    # A real 6 MB bitmap: refused for its size, not for its content.
    big = image_file("BMP", size=(1500, 1400), name="big.bmp")
    assert big.size > 6 * 1024 * 1024 - 100_000
    settings.PHOTO_MAX_MB = 5
    response = login(cast.secretary).post(reverse("people:create"), person_data(cast, photo=big))
    assert "照片不能超过 5 MB" in response.content.decode()
    assert not Person.objects.filter(name="周新").exists()


# --- personal data ------------------------------------------------------------------------


def test_id_numbers_and_phones_are_not_stored_in_plain_text(cast):
    person = cast.people.member
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone FROM {table} WHERE id = %s", [person.pk])  # noqa: S608
        raw_id, raw_phone = cursor.fetchone()
    assert person.id_number not in raw_id
    assert person.phone not in raw_phone
    assert Person.objects.get(pk=person.pk).id_number == person.id_number


def test_detail_page_masks_the_id_number(cast, login):
    body = login(cast.secretary).get(reverse("people:detail", args=[cast.people.member.pk]))
    text = body.content.decode()
    assert cast.people.member.id_number not in text
    assert cast.people.member.id_number_masked in text


def test_revealing_an_id_number_is_logged_and_the_auditor_sees_it(cast, login, client):
    person = cast.people.member
    response = login(cast.secretary).post(reverse("people:reveal", args=[person.pk, "id_number"]))
    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.field, entry.object_id) == (
        cast.secretary,
        "reveal",
        "id_number",
        str(person.pk),
    )
    client.logout()
    log_page = login(cast.auditor).get(reverse("accounts:access_log"))
    assert "secretary" in log_page.content.decode()
    assert "id_number" in log_page.content.decode()


def test_reveal_needs_post(cast, login):
    url = reverse("people:reveal", args=[cast.people.member.pk, "id_number"])
    assert login(cast.secretary).get(url).status_code == 405
    assert not AccessLog.objects.exists()


def test_a_member_may_reveal_his_own_id_number_but_not_anothers(cast, login):
    client = login(cast.member)
    own = client.post(reverse("people:reveal", args=[cast.people.member.pk, "id_number"]))
    other = client.post(reverse("people:reveal", args=[cast.people.secretary.pk, "id_number"]))
    assert own.status_code == 200
    assert other.status_code == 404
    assert AccessLog.objects.count() == 1


def test_only_personal_fields_can_be_revealed(cast, login):
    url = reverse("people:reveal", args=[cast.people.member.pk, "name"])
    assert login(cast.secretary).post(url).status_code == 404


def test_the_auditor_cannot_reveal(cast, login):
    url = reverse("people:reveal", args=[cast.people.member.pk, "id_number"])
    assert login(cast.auditor).post(url).status_code == 404


def test_export_is_masked_and_logged_with_the_row_count(cast, login):
    from openpyxl import load_workbook

    response = login(cast.secretary).get(reverse("people:export"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [str(v) for row in book.active.iter_rows(values_only=True) for v in row]
    assert cast.people.member.id_number not in cells
    assert cast.people.member.id_number_masked in cells
    assert cast.people.member.phone not in cells
    entry = AccessLog.objects.get(action="export")
    assert entry.rows == 3  # the secretary's branch: 张三, 李四, 单雄信
    assert entry.model == "people.person"


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zs", "张三"), ("zhangsan", "张三"), ("shanxx", "单雄信"), ("sxx", "单雄信"), ("李", "李四")],
)
def test_people_are_found_by_name_pinyin_and_initials(cast, login, query, expected):
    response = login(cast.office).get(reverse("people:list"), {"q": query})
    names = [p.name for p in response.context["listing"].rows]
    assert expected in names


def test_people_are_found_by_exact_id_number_and_phone(cast, login):
    client = login(cast.office)
    by_id = client.get(reverse("people:list"), {"q": cast.people.member.id_number})
    by_phone = client.get(reverse("people:list"), {"q": cast.people.member.phone})
    assert [p.name for p in by_id.context["listing"].rows] == ["李四"]
    assert [p.name for p in by_phone.context["listing"].rows] == ["李四"]


def test_an_empty_search_says_so_in_chinese(cast, login):
    response = login(cast.office).get(reverse("people:list"), {"q": "没有这个人"})
    assert "没有找到匹配的人员" in response.content.decode()


def test_the_list_is_paginated(cast, login):
    for i in range(30):
        make_person(f"测试{i}", cast.city.east)
    response = login(cast.office).get(reverse("people:list"))
    assert len(response.context["listing"].rows) == 25
    assert "下一页" in response.content.decode()
    second = login(cast.office).get(reverse("people:list"), {"page": 2})
    assert len(second.context["listing"].rows) == Person.objects.count() - 25


def test_the_people_list_query_count_does_not_grow_with_rows(
    cast, login, django_assert_max_num_queries
):
    for i in range(25):
        make_person(f"党员{i}", cast.city.east, branch=cast.city.east_branch)
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:list"))
    assert len(response.context["listing"].rows) == 25


# --- history and my profile ---------------------------------------------------------------


def test_editing_a_person_shows_who_changed_what_and_hides_secret_values(cast, login):
    person = cast.people.member
    client = login(cast.secretary)
    data = person_data(
        cast,
        name=person.name,
        id_number=person.id_number,
        birth_date=person.birth_date.isoformat(),
        gender=person.gender,
        post="专卖管理员",
        phone="13700000001",
    ) | membership_data(cast)
    assert client.post(reverse("people:edit", args=[person.pk]), data).status_code == 302
    body = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "岗位" in body and "客户经理" in body and "专卖管理员" in body
    assert "已修改" in body
    assert "13700000001" not in body
    assert "secretary" in body  # who


def test_a_member_opens_his_own_profile(cast, login):
    response = login(cast.member).get(reverse("people:me"))
    assert response["Location"] == reverse("people:detail", args=[cast.people.member.pk])
    page = login(cast.member).get(response["Location"])
    assert "李四" in page.content.decode()


def test_a_member_sees_only_himself_in_the_list(cast, login):
    response = login(cast.member).get(reverse("people:list"))
    assert [p.name for p in response.context["listing"].rows] == ["李四"]


def test_a_user_without_a_person_record_is_told_so(cast, login):
    response = login(cast.auditor).get(reverse("people:me"))
    assert response.status_code == 404
    assert "尚未关联人员档案" in response.content.decode()


def test_a_member_cannot_be_in_two_branches(cast):
    """One branch at a time: a second membership is refused on the person field; moving
    between branches is a transfer (组织关系转接), which moves the one membership."""
    import pytest
    from django.core.exceptions import ValidationError

    from dangjian.people.models import Membership

    second = Membership(
        person=cast.people.member,
        branch=cast.city.west_branch,
        status=Membership.Status.FULL,
        joined_on=cast.people.member.membership.joined_on,
        full_member_on=cast.people.member.membership.full_member_on,
    )
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert "person" in exc.value.error_dict
    assert Membership.objects.filter(person=cast.people.member).count() == 1
