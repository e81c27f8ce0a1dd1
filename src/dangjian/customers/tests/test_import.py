"""Importing retail customers: every row checked, all or nothing, run as a job."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.customers.importing import COLUMNS, customer_import
from dangjian.customers.models import RetailCustomer
from dangjian.platform.jobs import job_path
from dangjian.platform.models import AuditEvent, Job
from dangjian.platform.tabular import ImportRejected
from dangjian.platform.tests.job_queue import BACKENDS, use_queue

HEADER = [c.label for c in COLUMNS]


def row(licence="360101100001", **over):
    values = {
        "许可证号": licence,
        "店名": "红旗便民超市",
        "经营者": "王建国",
        "联系电话": "13907971234",
        "经营地址": "东湖区红旗大道88号",
        "县局/片区": "东湖城区片区",
        "客户经理": "",
        "业态": "超市",
        "城乡": "城镇",
        "规模": "中型",
        "分类编码": "",
        "档位": "12",
        "信用等级": "A",
        "客户群体": "现代终端、弱势群体",
        "生日": "1968-05-12",
        "农历生日": "是",
        "特殊需求": "高龄",
        "许可证有效期至": "2028-12-31",
    }
    values.update(over)
    return [values[h] for h in HEADER]


def csv_bytes(rows, encoding="utf-8"):
    lines = [",".join(HEADER)] + [",".join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def write_csv(tmp_path, rows, encoding="utf-8"):
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(rows, encoding))
    return path


def rejected(cast, path) -> list[str]:
    with pytest.raises(ImportRejected) as info:
        customer_import(actor=cast.office, path=path)
    return [str(e) for e in info.value.errors]


def test_valid_rows_are_all_imported_with_derived_fields_and_history(cast, tmp_path):
    path = write_csv(
        tmp_path,
        [
            row("360101100001", 客户经理="王五"),
            row("360101100002", **{"分类编码": "CZ1", "业态": "", "城乡": "", "规模": ""}),
            row("360101100003", **{"县局/片区": "U-E", "客户群体": "", "特殊需求": "", "生日": ""}),
        ],
    )
    result = customer_import(actor=cast.office, path=path)
    assert result["created"] == 3
    first = RetailCustomer.objects.get(licence_no="360101100001")
    assert first.unit == cast.city.east_area
    assert first.account_manager == cast.people.manager
    assert (first.market, first.business_format, first.size) == ("C", "S", "2")
    assert first.tier == 12 and first.credit_grade == "A"
    assert first.modern_terminal and first.vulnerable and not first.prime_location
    assert first.birthday == dt.date(1968, 5, 12) and first.birthday_is_lunar
    assert first.elderly and not first.ill
    assert first.licence_expires_on == dt.date(2028, 12, 31)
    assert first.owner_initials == "wjg"  # derive_fields ran although bulk_create skips save()
    assert first.phone == "13907971234" and first.phone_hash
    assert first.history.count() == 1
    second = RetailCustomer.objects.get(licence_no="360101100002")
    assert second.code == "CZ1"
    assert RetailCustomer.objects.get(licence_no="360101100003").unit == cast.city.east
    assert AuditEvent.objects.filter(verb="customer.import").exists()


def test_one_bad_row_saves_nothing(cast, tmp_path):
    before = RetailCustomer.objects.count()
    path = write_csv(tmp_path, [row("360101100001"), row("12345"), row("360101100003")])
    errors = rejected(cast, path)
    assert errors == ["第3行“许可证号”：许可证号应为12位数字"]
    assert RetailCustomer.objects.count() == before


def test_duplicate_licence_in_the_file_and_in_the_database(cast, tmp_path):
    path = write_csv(
        tmp_path,
        [row("360101100001"), row("360101100001"), row(cast.customers.west.licence_no)],
    )
    errors = rejected(cast, path)
    assert "第3行“许可证号”：与第2行的许可证号重复" in errors
    assert "第4行“许可证号”：该许可证号已存在于系统中" in errors


def test_unknown_unit_and_out_of_scope_unit(cast, tmp_path):
    from dangjian.accounts.models import RoleGrant
    from dangjian.accounts.roles import Role

    # An office holder of 东湖 only may import there, not into 西山.
    RoleGrant.objects.filter(user=cast.office).delete()
    RoleGrant.objects.create(user=cast.office, role=Role.OFFICE, unit=cast.city.east)
    path = write_csv(
        tmp_path,
        [
            row("360101100001", **{"县局/片区": "火星片区"}),
            row("360101100002", **{"县局/片区": "西山城区片区"}),
        ],
    )
    office = type(cast.office).objects.get(pk=cast.office.pk)
    with pytest.raises(ImportRejected) as info:
        customer_import(actor=office, path=path)
    errors = [str(e) for e in info.value.errors]
    assert errors[0].startswith("第2行“县局/片区”：找不到县局或片区“火星片区”")
    assert errors[1] == "第3行“县局/片区”：“西山城区片区”不在您的权限范围内"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("联系电话", "1234", "手机号码格式不正确"),
        ("档位", "31", "档位应为 1 到 30 之间的整数"),
        ("档位", "abc", "档位应为 1 到 30 之间的整数"),
        ("生日", "1968-13-40", "日期格式不正确"),
        ("许可证有效期至", "明年", "日期格式不正确"),
        ("信用等级", "E", "信用等级应为 A、B、C 或 D"),
        ("客户群体", "大客户", "无法识别“大客户”"),
        ("业态", "飞机场", "无法识别“飞机场”"),
        ("分类编码", "QQ9", "分类编码应为"),
        ("店名", "", "不能为空"),
        ("客户经理", "不存在的人", "找不到客户经理"),
        ("农历生日", "也许", "应填“是”或“否”"),
    ],
)
def test_bad_values_are_reported_with_row_and_field(cast, tmp_path, field, value, message):
    errors = rejected(cast, write_csv(tmp_path, [row(**{field: value})]))
    assert any(e.startswith(f"第2行“{field}”") and message in e for e in errors), errors


def test_gbk_csv_is_accepted(cast, tmp_path):
    path = write_csv(tmp_path, [row("360101100001")], encoding="gbk")
    assert customer_import(actor=cast.office, path=path)["created"] == 1
    assert RetailCustomer.objects.get(licence_no="360101100001").shop_name == "红旗便民超市"


def test_extra_column_row_is_an_error(cast, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(
        csv_bytes([row("360101100001")])[:-1] + b",\xe5\xa4\x9a\xe4\xbd\x99\n"  # ",多余"
    )
    errors = rejected(cast, path)
    assert errors == ["第2行“第S列”：多出一列数据（表头只有 18 列），请删除或检查是否错位"]


def test_xlsx_with_merged_header_cells_is_imported(cast, tmp_path):
    book = Workbook()
    ws = book.active
    ws.append(["零售客户导入"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    values = row("360101100001")
    values[0] = 360101100001  # typed as a number in Excel
    values[14] = dt.datetime(1968, 5, 12)
    ws.append(values)
    book.save(tmp_path / "c.xlsx")
    assert customer_import(actor=cast.office, path=tmp_path / "c.xlsx")["created"] == 1
    assert RetailCustomer.objects.get(licence_no="360101100001").birthday == dt.date(1968, 5, 12)


def test_rows_across_several_batches_are_all_inserted(cast, tmp_path, monkeypatch):
    from dangjian.customers import importing

    monkeypatch.setattr(importing, "BATCH_SIZE", 100)  # three and a half batches
    rows = [row(f"3601019{n:05d}", **{"联系电话": f"139{n:08d}"}) for n in range(350)]
    seen = []
    result = customer_import(
        actor=cast.office,
        path=write_csv(tmp_path, rows),
        progress=lambda pct, msg: seen.append(pct),
    )
    assert result["created"] == 350
    assert RetailCustomer.objects.filter(licence_no__startswith="3601019").count() == 350
    assert RetailCustomer.history.filter(licence_no__startswith="3601019").count() == 350
    assert seen == sorted(seen) and seen[-1] == 100


# -- the pages and the job ----------------------------------------------------------------------
@pytest.fixture(params=BACKENDS)
def queue(request, tmp_path):
    with use_queue(request.param, tmp_path) as q:
        yield q


def upload(client, content: bytes, name="customers.csv", capture=None, **extra):
    url = reverse("customers:import")
    file = SimpleUploadedFile(name, content)
    if capture is None:
        return client.post(url, {"file": file}, **extra)
    with capture(execute=True):
        return client.post(url, {"file": file}, **extra)


def test_office_imports_through_the_job_page(
    cast, login, queue, django_capture_on_commit_callbacks
):
    client = login(cast.office)
    assert client.get(reverse("customers:import")).status_code == 200
    response = upload(
        client,
        csv_bytes([row("360101100001"), row("360101100002")], "gbk"),
        capture=django_capture_on_commit_callbacks,
    )
    job = Job.objects.get(kind="customers.import")
    assert response.status_code == 302
    assert response["Location"] == reverse("platform:job_detail", args=[job.pk])
    assert job_path(job.params["file"]).exists()
    queue.drain()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["created"] == 2
    page = client.get(reverse("platform:job_detail", args=[job.pk])).content.decode()
    assert "已导入 2 户零售客户" in page


def test_bad_file_fails_the_job_with_a_downloadable_error_report(
    cast, login, queue, django_capture_on_commit_callbacks
):
    client = login(cast.office)
    upload(
        client,
        csv_bytes([row("360101100001"), row("360101100001", **{"联系电话": "12"})]),
        capture=django_capture_on_commit_callbacks,
    )
    queue.drain()
    job = Job.objects.get(kind="customers.import")
    assert job.status == Job.Status.FAILED
    assert "未导入任何数据" in job.error
    assert not RetailCustomer.objects.filter(licence_no="360101100001").exists()
    response = client.get(reverse("platform:job_download", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "值", "问题")
    assert (3, "许可证号", "360101100001", "与第2行的许可证号重复") in rows
    assert any(r[0] == 3 and r[1] == "联系电话" for r in rows)


def test_200_mb_upload_is_refused_before_reading(cast, login):
    client = login(cast.office)
    response = upload(client, b"x", CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 200
    assert "超过上限" in response.content.decode()
    assert not Job.objects.exists()


def test_file_over_the_limit_is_refused(cast, login, settings):
    settings.MAX_UPLOAD_MB = 1
    response = upload(login(cast.office), b"x" * (1024 * 1024 + 10))
    assert "超过上限 1 MB" in response.content.decode()
    assert not Job.objects.exists()


def test_wrong_file_type_is_refused(cast, login):
    response = upload(login(cast.office), b"x", name="customers.pdf")
    assert "只支持 .xlsx 或 .csv 文件" in response.content.decode()


def test_template_has_the_headers_and_an_example(cast, login):
    response = login(cast.office).get(reverse("customers:import_template"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][0] == "360702100123"


@pytest.mark.parametrize("who", ["manager", "outsider", "auditor", "secretary"])
def test_only_users_with_the_import_right_reach_the_import(cast, login, who):
    client = login(getattr(cast, who))
    assert client.get(reverse("customers:import")).status_code == 404
    assert client.get(reverse("customers:import_template")).status_code == 404


def test_import_job_is_hidden_from_others(cast, login):
    job = Job.objects.create(kind="customers.import", title="导入零售客户", started_by=cast.office)
    assert (
        login(cast.outsider).get(reverse("platform:job_detail", args=[job.pk])).status_code == 404
    )


def test_derived_fields_match_what_saving_a_customer_computes(cast, tmp_path):
    names = ["单记便利店12", "A8惠民超市", "曾氏烟酒 3号", "欧阳百货", "重庆小面7"]
    path = write_csv(
        tmp_path,
        [
            row(f"36010110{n:04d}", **{"店名": name, "经营者": name[:3]})
            for n, name in enumerate(names)
        ],
    )
    customer_import(actor=cast.office, path=path)
    for customer in RetailCustomer.objects.filter(licence_no__startswith="36010110"):
        imported = (customer.shop_initials, customer.owner_pinyin, customer.owner_initials)
        customer.derive_fields()
        assert imported == (customer.shop_initials, customer.owner_pinyin, customer.owner_initials)
        assert customer.phone_hash == customer.__class__.objects.get(pk=customer.pk).phone_hash


def test_history_rows_name_the_importer_and_the_reason(cast, tmp_path):
    customer_import(actor=cast.office, path=write_csv(tmp_path, [row("360101100001")]))
    customer = RetailCustomer.objects.get(licence_no="360101100001")
    entry = customer.history.get()
    assert (entry.history_type, entry.history_user, entry.history_change_reason) == (
        "+",
        cast.office,
        "批量导入",
    )
    assert entry.phone == "13907971234" and entry.shop_name == customer.shop_name


def test_a_bad_row_after_written_batches_rolls_them_all_back(cast, tmp_path, monkeypatch):
    from dangjian.customers import importing

    monkeypatch.setattr(importing, "BATCH_SIZE", 100)
    rows = [row(f"3601019{n:05d}") for n in range(250)]
    rows.append(row("360101900003"))  # a duplicate of row 5, found in the third batch
    rows.append(row("360101999999", **{"档位": "99"}))
    errors = rejected(cast, write_csv(tmp_path, rows))
    assert errors == [
        "第252行“许可证号”：与第5行的许可证号重复",
        "第253行“档位”：档位应为 1 到 30 之间的整数",
    ]
    assert not RetailCustomer.objects.filter(licence_no__startswith="3601019").exists()
    assert not RetailCustomer.history.filter(licence_no__startswith="3601019").exists()


def test_a_licence_already_in_use_is_reported_when_every_row_is_otherwise_clean(cast, tmp_path):
    path = write_csv(tmp_path, [row("360101100001"), row(cast.customers.east.licence_no)])
    errors = rejected(cast, path)
    assert errors == ["第3行“许可证号”：该许可证号已存在于系统中"]
    assert not RetailCustomer.objects.filter(licence_no="360101100001").exists()
