"""比业绩 pages: list, detail with scoring, certificates, import, a member's record, a branch."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.conftest import make_person
from dangjian.exemplar.contests import services
from dangjian.exemplar.contests.models import Contest, Participant
from dangjian.platform.models import Job
from dangjian.platform.tests.job_queue import use_queue


def _publish(cast, contest, entered):
    services.scores_record(
        actor=cast.secretary,
        contest=contest,
        scores={entered["张三"].pk: "96", entered["李四"].pk: "96", entered["单雄信"].pk: "70.5"},
    )
    services.contest_publish(actor=cast.secretary, contest=contest)


def test_the_list_is_the_company_view(cast, login, contest, entered, django_assert_max_num_queries):
    client = login(cast.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contests:list") + "?line=sales")
    assert "客户经理营销技能练兵" in response.content.decode()
    assert dict(response.context["rows"])[Contest.objects.get()].entrants == 3


def test_outsider_sees_none_of_it(cast, login, contest, entered):
    client = login(cast.outsider)
    assert "营销技能" not in client.get(reverse("contests:list")).content.decode()
    for name in ("contests:detail", "contests:edit", "contests:certificates", "contests:import"):
        assert client.get(reverse(name, args=[contest.pk])).status_code == 404
    assert client.post(reverse("contests:scores", args=[contest.pk]), {}).status_code == 404
    assert client.post(reverse("contests:remove", args=[entered["李四"].pk])).status_code == 404
    assert (
        client.get(reverse("contests:branch", args=[cast.city.east_branch.pk])).status_code == 404
    )


def test_secretary_creates_an_event(cast, login):
    response = login(cast.secretary).post(
        reverse("contests:create"),
        {
            "kind": "contest",
            "name": "专卖稽查业务竞赛",
            "organiser": cast.city.east_branch.pk,
            "business_line": "monopoly",
            "held_on": "2026-10-10",
            "max_score": "100",
            "higher_is_better": "on",
            "first_prizes": "1",
            "second_prizes": "2",
            "third_prizes": "3",
        },
    )
    assert response.status_code == 302
    assert Contest.objects.get().created_by == cast.secretary


def test_scores_entered_on_the_page_rank_everyone(cast, login, contest, entered):
    client = login(cast.secretary)
    client.post(
        reverse("contests:scores", args=[contest.pk]),
        {
            f"score_{entered['张三'].pk}": "88",
            f"score_{entered['李四'].pk}": "91",
            f"score_{entered['单雄信'].pk}": "",
        },
    )
    ranks = dict(Participant.objects.values_list("person__name", "rank"))
    assert ranks == {"李四": 1, "张三": 2, "单雄信": None}
    page = client.get(reverse("contests:detail", args=[contest.pk])).content.decode()
    assert "公布成绩" in page


def test_a_bad_score_on_the_page_is_explained(cast, login, contest, entered):
    response = login(cast.secretary).post(
        reverse("contests:scores", args=[contest.pk]),
        {f"score_{entered['张三'].pk}": "abc"},
        follow=True,
    )
    assert "成绩：张三：成绩应为数字" in response.content.decode()


def test_participants_are_added_by_search(cast, login, contest):
    client = login(cast.secretary)
    suggest = client.get(reverse("contests:suggest", args=["people"]) + "?people_q=李")
    assert "李四" in suggest.content.decode()
    client.post(
        reverse("contests:participants", args=[contest.pk]), {"people": [cast.people.member.pk]}
    )
    assert list(contest.participants.values_list("person__name", flat=True)) == ["李四"]
    # Someone of another branch is not in the picker's scope.
    response = client.post(
        reverse("contests:participants", args=[contest.pk]),
        {"people": [cast.people.outsider.pk]},
        follow=True,
    )
    assert "参赛人员：" in response.content.decode()
    assert contest.participants.count() == 1


def test_certificates_print_as_pdf_with_every_awardee(cast, login, contest, entered):
    _publish(cast, contest, entered)
    client = login(cast.secretary)
    response = client.get(reverse("contests:certificates", args=[contest.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 3  # 2 × 一等奖 (tied), 1 × 三等奖
    text = reader.pages[0].extract_text()
    assert "荣誉证书" in text.replace(" ", "")


def test_the_awardee_prints_his_own_certificate_only(cast, login, contest, entered):
    _publish(cast, contest, entered)
    client = login(cast.member)
    assert client.get(reverse("contests:certificate", args=[entered["李四"].pk])).status_code == 200
    assert client.get(reverse("contests:certificate", args=[entered["张三"].pk])).status_code == 404
    mine = client.get(reverse("contests:mine")).content.decode()
    assert "客户经理营销技能练兵" in mine and "一等奖" in mine


def test_unpublished_results_are_not_shown_to_the_member(cast, login, contest, entered):
    services.scores_record(actor=cast.secretary, contest=contest, scores={entered["李四"].pk: "50"})
    mine = login(cast.member).get(reverse("contests:mine")).content.decode()
    assert "成绩尚未公布" in mine and "50.00" not in mine
    assert (
        login(cast.member)
        .get(reverse("contests:certificate", args=[entered["李四"].pk]))
        .status_code
        == 404
    )


def test_the_branch_view_counts_awards(cast, login, contest, entered):
    _publish(cast, contest, entered)
    response = login(cast.secretary).get(
        reverse("contests:branch", args=[cast.city.east_branch.pk]) + "?year=2026"
    )
    assert response.context["awards"] == 3
    assert {t.person.name: t.best_rank for t in response.context["tallies"]} == {
        "张三": 1,
        "李四": 1,
        "单雄信": 3,
    }


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "成绩", "备注"])
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile("scores.xlsx", buf.getvalue())


def test_scores_import_all_or_nothing_with_a_report(
    cast, login, contest, entered, tmp_path, django_capture_on_commit_callbacks
):
    newcomer = make_person("孙十", cast.city.east, branch=cast.city.east_branch)
    client = login(cast.secretary)
    with use_queue("sqlite", tmp_path) as queue:
        bad = _xlsx([["张三", "", "95"], ["李四", "", "120"], ["查无此人", "", "60"]])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("contests:import", args=[contest.pk]), {"file": bad})
        queue.drain()
        job = Job.objects.latest("pk")
        assert job.status == Job.Status.FAILED and "2 处错误" in job.error
        assert not Participant.objects.filter(score__isnull=False).exists()
        report = client.get(reverse("platform:job_download", args=[job.pk]))
        rows = list(
            load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.iter_rows(
                values_only=True
            )
        )
        assert any(r[0] == 3 and "0 至 100" in str(r[3]) for r in rows)

        good = _xlsx(
            [
                ["张三", "", "95"],
                ["李四", "", "97.5"],
                ["单雄信", "", "60"],
                ["孙十", newcomer.id_number, "88"],
            ]
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("contests:import", args=[contest.pk]), {"file": good})
        queue.drain()
    job = Job.objects.latest("pk")
    assert job.status == Job.Status.SUCCEEDED, job.error
    ranks = dict(Participant.objects.values_list("person__name", "rank"))
    assert ranks == {"李四": 1, "张三": 2, "孙十": 3, "单雄信": 4}


def test_the_import_template_lists_the_participants(cast, login, contest, entered):
    response = login(cast.secretary).get(reverse("contests:import_template", args=[contest.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    names = [row[0] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["单雄信", "张三", "李四"]


def test_api_lists_events_with_results(cast, api, contest, entered):
    _publish(cast, contest, entered)
    data = api(cast.office).get(f"/api/v1/contests/{contest.pk}").json()
    assert [e["rank"] for e in data["entries"]] == [1, 1, 3]
    assert api(cast.outsider).get(f"/api/v1/contests/{contest.pk}").status_code == 404
