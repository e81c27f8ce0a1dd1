"""The results pages: who sees which rows, what the member sees of his own sheets, the
decision form, leniency decisions, exports, the report job; pinned query counts."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.appraisal.grading import services
from dangjian.appraisal.grading.models import GradeDecision, LeniencyFlag, MemberResult
from dangjian.platform.models import AccessLog, Job

TODAY = dt.date.today()


@pytest.fixture
def computed(cast, rated):
    services.results_compute(actor=cast.office, campaign=rated.campaign)
    return rated.campaign


def result_of(campaign, person):
    return MemberResult.objects.get(campaign=campaign, person=person)


def test_office_sees_every_member_with_charts(cast, computed, login, django_assert_max_num_queries):
    client = login(cast.office)
    url = reverse("grading:campaign", args=[computed.pk])
    with django_assert_max_num_queries(25):
        response = client.get(url)
    body = response.content.decode()
    for name in ("李四", "张三", "单雄信", "钱七", "赵六"):
        assert name in body
    assert "chart-histogram" in body and "grading-charts" in body


def test_secretary_sees_only_his_branch_of_the_company_campaign(cast, computed, login):
    body = login(cast.secretary).get(reverse("grading:campaign", args=[computed.pk])).content
    body = body.decode()
    assert "李四" in body and "单雄信" in body
    assert "钱七" not in body and "西山" not in body


def test_member_sees_only_himself(cast, computed, login):
    body = login(cast.member).get(reverse("grading:campaign", args=[computed.pk])).content
    body = body.decode()
    assert "李四" in body and "张三" not in body.split("<tbody>")[1]


def test_outsider_gets_404_for_a_result_of_the_other_branch(cast, computed, login):
    url = reverse("grading:result", args=[result_of(computed, cast.people.member).pk])
    assert login(cast.outsider).get(url).status_code == 404


def test_member_sees_his_sheets_without_the_peers_names(cast, computed, login):
    url = reverse("grading:result", args=[result_of(computed, cast.people.member).pk])
    body = login(cast.member).get(url).content.decode()
    assert "80.00" in body  # his score
    assert "张三" not in body  # the peer who rated him
    assert "登记组织评定" not in body


def test_officers_see_named_raters_but_never_customers(cast, computed, login):
    url = reverse("grading:result", args=[result_of(computed, cast.people.member).pk])
    body = login(cast.secretary).get(url).content.decode()
    assert "张三" in body
    assert "王小明" not in body and "曾小贤" not in body  # the customers who rated


def test_secretary_decides_a_grade_and_errors_name_the_field(cast, computed, login):
    result = result_of(computed, cast.people.probationary)
    client = login(cast.secretary)
    url = reverse("grading:decide", args=[result.pk])
    response = client.post(
        url,
        {"grade": "excellent", "body": "committee", "decided_on": TODAY, "reason": "好"},
        follow=True,
    )
    assert "预备党员不评为优秀" in response.content.decode()
    assert not GradeDecision.objects.exists()
    client.post(
        url, {"grade": "qualified", "body": "committee", "decided_on": TODAY, "reason": "好"}
    )
    assert GradeDecision.objects.get().grade == "qualified"


def test_member_cannot_decide(cast, computed, login):
    result = result_of(computed, cast.people.member)
    response = login(cast.member).post(
        reverse("grading:decide", args=[result.pk]),
        {"grade": "excellent", "body": "committee", "decided_on": TODAY, "reason": "自评"},
    )
    assert response.status_code == 404


def test_compute_starts_a_job(cast, computed, login):
    response = login(cast.office).post(reverse("grading:compute", args=[computed.pk]))
    job = Job.objects.get(kind="appraisal.results")
    assert response["Location"] == reverse("platform:job_detail", args=[job.pk])


def test_secretary_cannot_compute_the_company_campaign(cast, computed, login):
    response = login(cast.secretary).post(reverse("grading:compute", args=[computed.pk]))
    assert response.status_code == 404


def test_the_results_job_computes_and_reports(cast, rated):
    from dangjian.appraisal.grading.tasks import compute_results_task

    job = Job.objects.create(
        kind="appraisal.results", started_by=cast.office, params={"campaign_id": rated.campaign.pk}
    )
    result = compute_results_task.body(job, campaign_id=rated.campaign.pk)
    assert result["members"] == 5 and result["sheets"] == 7


def test_excel_export_lists_the_visible_rows_and_is_logged(cast, computed, login):
    response = login(cast.secretary).get(reverse("grading:export", args=[computed.pk]))
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    names = {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"李四", "张三", "单雄信"}
    assert AccessLog.objects.filter(action="export", rows=3).exists()


def test_report_pdf_is_rendered_by_a_job(cast, computed):
    from dangjian.appraisal.grading.tasks import report_pdf_task

    job = Job.objects.create(kind="appraisal.report", started_by=cast.office, params={})
    result = report_pdf_task.body(job, campaign_id=computed.pk)
    job.refresh_from_db()
    assert result["bytes"] > 1000
    assert job.result_file.endswith("report.pdf")


def test_office_excludes_a_flagged_rater_and_a_recompute_is_started(cast, computed, login):
    flag = LeniencyFlag.objects.create(
        campaign=computed, kind="peer", rater=cast.people.secretary, sheets=1, score=60
    )
    response = login(cast.office).post(
        reverse("grading:flag_decide", args=[flag.pk]),
        {"action": "exclude", "reason": "一律同分"},
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "excluded"
    assert Job.objects.filter(kind="appraisal.results").exists()


def test_flag_list_query_count(cast, computed, login, django_assert_max_num_queries):
    for person in (cast.people.member, cast.people.secretary):
        LeniencyFlag.objects.create(
            campaign=computed, kind="peer", rater=person, sheets=3, score=80
        )
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("grading:flags", args=[computed.pk]))
    assert "张三" in response.content.decode()


def test_plans_list_shows_the_members_own_plan(cast, computed, login):
    services.grade_decide(
        actor=cast.secretary,
        result=result_of(computed, cast.people.member),
        grade="basically_qualified",
        body="committee",
        decided_on=TODAY,
        reason="测评偏低",
        measures="每月汇报思想",
        due_on=TODAY + dt.timedelta(days=30),
    )
    body = login(cast.member).get(reverse("grading:plans")).content.decode()
    assert "每月汇报思想" in body
    assert "每月汇报思想" not in login(cast.outsider).get(reverse("grading:plans")).content.decode()


def test_discipline_form_records_a_sanction(cast, login):
    response = login(cast.secretary).post(
        reverse("grading:discipline"),
        {
            "person": cast.people.member.pk,
            "kind": "warning",
            "decided_on": "2026-01-05",
            "summary": "违反工作纪律",
        },
    )
    assert response.status_code == 302
    body = login(cast.secretary).get(reverse("grading:discipline")).content.decode()
    assert "违反工作纪律" in body


def test_discipline_form_refuses_a_person_of_another_branch(cast, login):
    response = login(cast.secretary).post(
        reverse("grading:discipline"),
        {
            "person": cast.people.west_member.pk,
            "kind": "warning",
            "decided_on": "2026-01-05",
            "summary": "x",
        },
    )
    assert response.status_code == 200
    assert "不在您的权限范围内" in response.content.decode()


def test_nominations_page_shows_vetoes(cast, computed, login):
    from dangjian.appraisal.grading.models import DisciplinaryRecord

    services.grade_decide(
        actor=cast.secretary,
        result=result_of(computed, cast.people.member),
        grade="excellent",
        body="committee",
        decided_on=TODAY,
        reason="表现突出",
    )
    DisciplinaryRecord.objects.create(
        person=cast.people.member, kind="warning", decided_on=TODAY, summary="违规"
    )
    body = login(cast.secretary).get(reverse("grading:nominations", args=[computed.pk]))
    assert "党纪处分影响期内" in body.content.decode()
