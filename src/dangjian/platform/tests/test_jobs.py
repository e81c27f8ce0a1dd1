"""Background jobs run for real through Huey's worker path, on SQLite and on Redis."""

import datetime as dt
import time

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from dangjian.platform.jobs import (
    HUEY,
    JobFailed,
    job_attach_file,
    job_live,
    job_progress,
    job_start,
    job_task,
    jobs_purge,
    purge_finished_jobs,
)
from dangjian.platform.models import Job

from .job_queue import BACKENDS, use_queue


@job_task(retries=2, retry_delay=1)
def add_numbers(job, *, a, b):
    job_progress(job.pk, 50, "半程")
    return {"sum": a + b, "summary": f"结果是 {a + b}"}


@job_task(retries=2, retry_delay=1)
def flaky(job, *, fail_times):
    if job.attempts <= fail_times:
        raise OperationalError("database is locked")
    return {"attempts": job.attempts}


@job_task()
def refuses(job):
    path = job_attach_file(job, "report.txt", download_name="报告.txt")
    path.write_text("第2行：许可证号应为12位数字")
    raise JobFailed("有 1 处错误")


@job_task()
def crashes(job):
    raise ValueError("bug")


@pytest.fixture(params=BACKENDS)
def queue(request, tmp_path):
    with use_queue(request.param, tmp_path) as q:
        yield q


def start(actor, task, capture, **params) -> Job:
    with capture(execute=True):
        job = job_start(actor=actor, kind="test", task=task, title="测试任务", **params)
    return job


def test_job_runs_through_the_worker_and_records_its_result(
    cast, queue, django_capture_on_commit_callbacks
):
    job = start(cast.office, add_numbers, django_capture_on_commit_callbacks, a=2, b=3)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.task_id
    assert queue.drain() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["sum"] == 5
    assert job.progress == 100
    assert job.started_by == cast.office
    assert job.started_at and job.finished_at and job.attempts == 1


def test_job_is_not_enqueued_when_the_transaction_rolls_back(cast, queue):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        job_start(actor=cast.office, kind="test", task=add_numbers, a=1, b=1)
        raise RuntimeError
    assert HUEY.pending_count() == 0
    assert not Job.objects.filter(kind="test").exists()


def test_transient_error_is_retried_with_growing_delay(
    cast, queue, django_capture_on_commit_callbacks
):
    job = start(cast.office, flaky, django_capture_on_commit_callbacks, fail_times=2)
    queue.step()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert "重试" in job.message
    [retry] = HUEY.scheduled()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert 0 < (retry.eta - now).total_seconds() <= 1.5
    assert retry.retry_delay == 2  # the next wait is doubled
    queue.drain()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"attempts": 3}


def test_transient_error_fails_the_job_when_retries_run_out(
    cast, queue, django_capture_on_commit_callbacks
):
    job = start(cast.office, flaky, django_capture_on_commit_callbacks, fail_times=5)
    queue.drain()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 3
    assert "database is locked" in job.error


def test_job_failed_keeps_message_and_result_file(
    cast, queue, django_capture_on_commit_callbacks, login
):
    job = start(cast.office, refuses, django_capture_on_commit_callbacks)
    queue.drain()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "有 1 处错误"
    assert job.attempts == 1  # a refusal is not retried
    response = login(cast.office).get(reverse("platform:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert (
        "报告.txt" in response["Content-Disposition"]
        or "%E6%8A%A5" in (response["Content-Disposition"])
    )
    assert "许可证号" in b"".join(response.streaming_content).decode()


def test_unexpected_error_fails_once_with_a_readable_message(
    cast, queue, django_capture_on_commit_callbacks
):
    job = start(cast.office, crashes, django_capture_on_commit_callbacks)
    queue.drain()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1
    assert "ValueError: bug" in job.error
    assert "联系管理员" in job.message


def test_a_second_delivery_of_a_finished_job_does_nothing(
    cast, queue, django_capture_on_commit_callbacks
):
    job = start(cast.office, add_numbers, django_capture_on_commit_callbacks, a=1, b=1)
    queue.drain()
    add_numbers(job.pk)  # the same job delivered again
    queue.drain()
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_real_consumer_threads_run_jobs(cast, queue):
    job = job_start(actor=cast.office, kind="test", task=add_numbers, a=20, b=22)
    job.refresh_from_db()
    with queue.consumer():
        assert HUEY.result(job.task_id, blocking=True, timeout=30) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["sum"] == 42


def test_live_progress_is_visible_while_the_job_runs(cast, queue):
    job = Job.objects.create(kind="test", started_by=cast.office, status=Job.Status.RUNNING)
    job_progress(job.pk, 37, "已检查 3700 行")
    assert job_live(job) == (37, "已检查 3700 行")


def test_job_page_shows_a_polling_progress_bar(cast, login):
    job = Job.objects.create(
        kind="test", title="导入零售客户", started_by=cast.office, status=Job.Status.RUNNING
    )
    job_progress(job.pk, 40, "已检查 4000 行")
    client = login(cast.office)
    page = client.get(reverse("platform:job_detail", args=[job.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'hx-trigger="every 1s"' in body
    assert "导入零售客户" in body
    partial = client.get(reverse("platform:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "width: 40%" in partial.content.decode()
    assert "已检查 4000 行" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_finished_job_page_stops_polling(cast, login):
    job = Job.objects.create(
        kind="test",
        started_by=cast.office,
        status=Job.Status.SUCCEEDED,
        progress=100,
        result={"summary": "已导入 3 户零售客户"},
    )
    body = login(cast.office).get(reverse("platform:job_detail", args=[job.pk])).content.decode()
    assert "every 1s" not in body
    assert "已导入 3 户零售客户" in body


def test_outsider_cannot_see_another_users_job(cast, login):
    job = Job.objects.create(kind="test", title="东湖导入", started_by=cast.manager)
    client = login(cast.outsider)
    assert client.get(reverse("platform:job_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("platform:job_download", args=[job.pk])).status_code == 404
    assert "东湖导入" not in client.get(reverse("platform:job_list")).content.decode()


def test_starter_and_office_see_the_job(cast, login):
    job = Job.objects.create(kind="test", title="东湖导入", started_by=cast.manager)
    url = reverse("platform:job_detail", args=[job.pk])
    assert login(cast.manager).get(url).status_code == 200
    assert login(cast.office).get(url).status_code == 200
    assert "东湖导入" in login(cast.manager).get(reverse("platform:job_list")).content.decode()


def test_anonymous_is_sent_to_login(cast, client):
    job = Job.objects.create(kind="test", started_by=cast.office)
    response = client.get(reverse("platform:job_detail", args=[job.pk]))
    assert response.status_code == 302


def test_purge_removes_finished_jobs_older_than_30_days(cast, queue):
    old = Job.objects.create(
        kind="test",
        started_by=cast.office,
        status=Job.Status.SUCCEEDED,
        finished_at=timezone.now() - dt.timedelta(days=31),
    )
    path = job_attach_file(old, "r.txt")
    path.write_text("x")
    recent = Job.objects.create(
        kind="test",
        started_by=cast.office,
        status=Job.Status.FAILED,
        finished_at=timezone.now() - dt.timedelta(days=29),
    )
    running = Job.objects.create(kind="test", started_by=cast.office, status="running")
    assert jobs_purge() == 1
    assert not Job.objects.filter(pk=old.pk).exists()
    assert not path.exists()
    assert Job.objects.filter(pk__in=[recent.pk, running.pk]).count() == 2


def test_purge_is_a_daily_periodic_task():
    night = dt.datetime(2026, 3, 2, 19, 30)  # 03:30 in Beijing, in Huey's UTC clock
    assert purge_finished_jobs.s().validate_datetime(night)
    assert not purge_finished_jobs.s().validate_datetime(night + dt.timedelta(hours=1))
    due = HUEY.read_periodic(night)  # what the consumer's scheduler enqueues at 19:30 UTC
    assert any(isinstance(t, purge_finished_jobs.task_class) for t in due)


def test_progress_inside_a_transaction_does_not_wait_for_commit(cast, queue):
    job = Job.objects.create(kind="test", started_by=cast.office, status=Job.Status.RUNNING)
    started = time.monotonic()
    job_progress(job.pk, 120, "x" * 600)  # clamped and cut, never an error
    assert time.monotonic() - started < 2
    assert job_live(job)[0] == 100
