"""Importing the unit and party trees from the export's format: all or nothing, as a job."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.orgs.importing import tree_import
from dangjian.orgs.models import PartyOrg, Unit
from dangjian.platform.models import Job
from dangjian.platform.tabular import ImportRejected
from dangjian.platform.tests.job_queue import BACKENDS, use_queue

HEADER = ["编码", "名称", "类型", "上级编码", "层级", "启用"]


def xlsx(tmp_path, rows, name="tree.xlsx"):
    book = Workbook()
    book.active.append(HEADER)
    for r in rows:
        book.active.append(r)
    path = tmp_path / name
    book.save(path)
    return path


def test_new_nodes_are_created_under_parents_in_the_file_or_the_database(cast, tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["U-EB", "东湖城北片区", "片区", "U-E", 3, "是"],
            ["U-N-A", "南康城区片区", "片区", "U-N", 3, "是"],  # parent comes later
            ["U-N", "南康县局", "县局(营销部)", "U-C", 2, "是"],
        ],
    )
    result = tree_import(actor=cast.office, model=Unit, path=path)
    assert result["created"] == 3
    south = Unit.objects.get(code="U-N")
    assert south.get_parent() == cast.city.company
    assert Unit.objects.get(code="U-N-A").get_parent() == south
    assert Unit.objects.get(code="U-EB").get_parent() == cast.city.east


def test_existing_codes_are_renamed_and_history_kept(cast, tmp_path):
    path = xlsx(tmp_path, [["U-E", "东湖区局", "县局(营销部)", "U-C", 2, "是"]])
    assert tree_import(actor=cast.office, model=Unit, path=path)["updated"] == 1
    east = Unit.objects.get(code="U-E")
    assert east.name == "东湖区局"
    assert east.history.first().name == "东湖区局"


def test_export_file_imports_back_unchanged(cast, login, tmp_path):
    response = login(cast.office).get(reverse("orgs:export", args=["party"]))
    path = tmp_path / "party.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    result = tree_import(actor=cast.office, model=PartyOrg, path=path)
    assert result == {**result, "created": 0, "updated": PartyOrg.objects.count()}


def test_one_bad_row_saves_nothing_and_every_problem_is_named(cast, tmp_path):
    path = xlsx(
        tmp_path,
        [
            ["U-EB", "东湖城北片区", "片区", "U-E", 3, "是"],
            ["U-X", "火星片区", "片区", "U-NOPE", 3, "是"],
            ["U-Y", "", "飞船", "U-E", 3, "也许"],
            ["U-EB", "重复", "片区", "U-E", 3, "是"],
            ["U-Z", "错层片区", "片区", "U-C", 2, "是"],
        ],
    )
    before = Unit.objects.count()
    with pytest.raises(ImportRejected) as info:
        tree_import(actor=cast.office, model=Unit, path=path)
    errors = [str(e) for e in info.value.errors]
    assert Unit.objects.count() == before
    assert "第3行“上级编码”：找不到上级编码（或不在您的权限范围内）" in errors
    assert "第4行“名称”：不能为空" in errors
    assert any(e.startswith("第4行“类型”：类型应为") for e in errors)
    assert "第4行“启用”：应填“是”或“否”" in errors
    assert "第5行“编码”：与第2行的编码重复" in errors
    assert any(e.startswith("第6行“类型”：“片区”不能放在“市公司”之下") for e in errors), errors


def test_out_of_scope_parent_is_refused(cast, tmp_path):
    from dangjian.accounts.models import RoleGrant
    from dangjian.accounts.roles import Role

    RoleGrant.objects.create(user=cast.secretary, role=Role.OFFICE, unit=cast.city.east)
    path = xlsx(tmp_path, [["U-WB", "西山城北片区", "片区", "U-W", 3, "是"]])
    with pytest.raises(ImportRejected) as info:
        tree_import(actor=cast.secretary, model=Unit, path=path)
    assert [str(e) for e in info.value.errors] == [
        "第2行“上级编码”：找不到上级编码（或不在您的权限范围内）"
    ]


@pytest.fixture(params=BACKENDS)
def queue(request, tmp_path):
    with use_queue(request.param, tmp_path) as q:
        yield q


def test_import_page_runs_a_job_with_an_error_report(
    cast, login, queue, tmp_path, django_capture_on_commit_callbacks
):
    client = login(cast.office)
    assert client.get(reverse("orgs:import", args=["unit"])).status_code == 200
    path = xlsx(tmp_path, [["U-EB", "", "片区", "U-E", 3, "是"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("orgs:import", args=["unit"]),
            {"file": SimpleUploadedFile("tree.xlsx", path.read_bytes())},
        )
    job = Job.objects.get(kind="orgs.import.unit")
    assert response["Location"] == reverse("platform:job_detail", args=[job.pk])
    queue.drain()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    report = client.get(reverse("platform:job_download", args=[job.pk]))
    rows = list(
        load_workbook(io.BytesIO(b"".join(report.streaming_content))).active.iter_rows(
            values_only=True
        )
    )
    assert (2, "名称", None, "不能为空") in rows


def test_import_page_creates_nodes(
    cast, login, queue, tmp_path, django_capture_on_commit_callbacks
):
    client = login(cast.office)
    path = xlsx(tmp_path, [["P-EG2", "东湖第二党小组", "党小组", "P-E", 3, "是"]])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("orgs:import", args=["party"]),
            {"file": SimpleUploadedFile("tree.xlsx", path.read_bytes())},
        )
    queue.drain()
    job = Job.objects.get(kind="orgs.import.party")
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert PartyOrg.objects.get(code="P-EG2").get_parent() == cast.city.east_branch


def test_200_mb_upload_is_refused(cast, login):
    response = login(cast.office).post(
        reverse("orgs:import", args=["unit"]),
        {"file": SimpleUploadedFile("t.xlsx", b"x")},
        CONTENT_LENGTH=str(200 * 1024 * 1024),
    )
    assert "超过上限" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("who", ["secretary", "auditor", "outsider", "manager"])
def test_only_users_with_the_import_right_reach_the_page(cast, login, who):
    response = login(getattr(cast, who)).get(reverse("orgs:import", args=["unit"]))
    assert response.status_code == 404


def test_unknown_tree_is_404(cast, login):
    assert login(cast.office).get("/orgs/planets/import/").status_code == 404
