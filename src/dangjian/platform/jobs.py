"""Background jobs: one API for every module, on Huey.

A module writes the work as ``fn(job, **params)`` and turns it into a task with
``@job_task()``; a view starts it with ``job_start(actor=…, kind=…, task=…, **params)``,
which writes the ``Job`` row and enqueues the task only after the transaction commits (the
worker must find the row). Tasks take the job id and nothing else, so a retried or
duplicated delivery finds the job already finished and does nothing (idempotent).

- ``job_progress(job_id, pct, message)`` reports progress. It is also kept in Huey's
  key-value store, which lives outside the database transaction, so progress made inside a
  long all-or-nothing transaction is still visible to the job page.
- Transient errors (database or network hiccups) are retried with exponential backoff;
  ``JobFailed`` ends the job with a message for the user; anything else fails it once.
- Periodic work uses Huey's ``db_periodic_task`` (re-exported as ``periodic_job``); this
  module's own one purges finished jobs after ``JOB_KEEP_DAYS``.

The queue is SqliteHuey in the data directory, or RedisHuey when ``REDIS_URL`` is set
(``settings.HUEY``); the worker is ``dangjian run_huey``.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from functools import partial, wraps
from pathlib import Path

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import HUEY
from huey.contrib.djhuey import db_periodic_task as periodic_job

from .models import Job
from .scoping import grants_for

__all__ = [
    "HUEY",
    "JobFailed",
    "job_attach_file",
    "job_for",
    "job_live",
    "job_path",
    "job_progress",
    "job_start",
    "job_task",
    "jobs_purge",
    "jobs_visible_to",
    "periodic_job",
]

logger = logging.getLogger(__name__)

# Roles that see every user's jobs (besides superusers); others see only their own.
JOB_ADMIN_ROLES = getattr(settings, "DANGJIAN_JOB_ADMIN_ROLES", ("office",))
JOB_KEEP_DAYS = int(getattr(settings, "DANGJIAN_JOB_KEEP_DAYS", 30))
RETRIES = 3
RETRY_DELAY_SECONDS = 5  # then 10, 20: doubled each time
TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


class JobFailed(Exception):
    """Raised by a job body to end the job as failed with a message for the user."""

    def __init__(self, message: str, *, result: dict | None = None):
        super().__init__(message)
        self.result = result


# -- files ------------------------------------------------------------------------------------
def _jobs_root() -> Path:
    # Under MEDIA_ROOT, which is never served directly: downloads go through job_download.
    return Path(settings.MEDIA_ROOT) / "jobs"


def _job_dir(job_id: int) -> Path:
    path = _jobs_root() / str(job_id)
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_path(relative: str) -> Path:
    """The absolute path of a file a job stored (params and ``result_file`` hold relative ones)."""
    root = _jobs_root().resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError("job file outside the jobs directory")
    return path


def job_attach_file(job: Job, filename: str, *, download_name: str = "") -> Path:
    """Where to write the job's result file; the job page offers it for download."""
    path = _job_dir(job.pk) / filename
    job.result_file = f"{job.pk}/{filename}"
    job.result_filename = download_name or filename
    Job.objects.filter(pk=job.pk).update(
        result_file=job.result_file, result_filename=job.result_filename
    )
    return path


# -- starting and running ---------------------------------------------------------------------
def _enqueue(job_id: int, task) -> None:
    try:
        handle = task(job_id)
    except Exception:
        logger.exception("could not enqueue job %s", job_id)
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED,
            error=_("无法加入任务队列，请联系管理员检查后台任务进程"),
            finished_at=timezone.now(),
        )
        return
    task_id = getattr(handle, "id", "") or ""
    if task_id:
        Job.objects.filter(pk=job_id).update(task_id=task_id)


def job_start(*, actor, kind: str, task, title: str = "", files: dict | None = None, **params):
    """Create the job record and enqueue ``task`` once the surrounding transaction commits.

    ``files`` maps a parameter name to an uploaded file; each is saved into the job's own
    folder (shared with the workers through the data directory) and the parameter holds its
    relative path. Other ``params`` must be JSON-serialisable.
    """
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, title=title or kind, started_by=actor, params=params, message=_("排队中")
        )
        if files:
            folder = _job_dir(job.pk)
            for name, upload in files.items():
                suffix = Path(getattr(upload, "name", "") or "").suffix.lower()
                target = folder / f"upload-{name}{suffix}"
                with open(target, "wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                params[name] = f"{job.pk}/{target.name}"
            job.params = params
            job.save(update_fields=["params"])
        transaction.on_commit(partial(_enqueue, job.pk, task))
    return job


def _live_key(job_id: int) -> str:
    return f"dangjian-job-progress:{job_id}"


def job_progress(job_id: int, pct: float, message: str = "") -> None:
    """Report how far a running job got (0–100) and what it is doing."""
    pct = max(0, min(100, int(pct)))
    message = str(message)[:500]
    try:
        HUEY.put(_live_key(job_id), (pct, message))
    except Exception:  # progress is best effort; never fail the job over it
        logger.warning("could not store live progress of job %s", job_id, exc_info=True)
    if not connection.in_atomic_block:
        Job.objects.filter(pk=job_id).update(progress=pct, message=message)


def job_live(job: Job) -> tuple[int, str]:
    """(percent, message) to show: the live value while running, else the record's."""
    if job.status == Job.Status.RUNNING:
        try:
            live = HUEY.get(_live_key(job.pk), peek=True)
        except Exception:
            live = None
        if live:
            pct, message = live
            if pct >= job.progress:
                return int(pct), str(message)
    return job.progress, job.message


def _finish(job_id: int, status: str, **fields) -> None:
    values = {"status": status, "finished_at": timezone.now(), **fields}
    if status == Job.Status.SUCCEEDED:
        values["progress"] = 100
    try:
        Job.objects.filter(pk=job_id).update(**values)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        close_old_connections()  # a broken connection: retry once on a fresh one
        Job.objects.filter(pk=job_id).update(**values)
    try:
        HUEY.delete(_live_key(job_id))
    except Exception:
        logger.warning("could not clear live progress of job %s", job_id, exc_info=True)


def _run(fn, job_id: int, task) -> str:
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.is_done:
        return "skipped"  # a repeated delivery of a finished job
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING,
        started_at=timezone.now() if job.started_at is None else job.started_at,
        attempts=F("attempts") + 1,
        message=_("开始执行"),
    )
    job.refresh_from_db()
    try:
        result = fn(job, **job.params)
    except JobFailed as exc:
        _finish(
            job_id, Job.Status.FAILED, error=str(exc), message=str(exc)[:500], result=exc.result
        )
        return Job.Status.FAILED
    except TRANSIENT_ERRORS as exc:
        retries_left = getattr(task, "retries", 0) if task is not None else 0
        if retries_left > 0:
            if not connection.in_atomic_block:
                close_old_connections()
            Job.objects.filter(pk=job_id).update(
                status=Job.Status.QUEUED,
                message=_("暂时出错（%(error)s），稍后自动重试") % {"error": exc},
            )
            raise  # Huey schedules the retry with backoff
        _finish(job_id, Job.Status.FAILED, error=str(exc), message=_("多次重试后仍然失败"))
        return Job.Status.FAILED
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        _finish(
            job_id,
            Job.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            message=_("任务出错，请联系管理员"),
        )
        return Job.Status.FAILED
    _finish(
        job_id,
        Job.Status.SUCCEEDED,
        result=result if isinstance(result, dict) else None,
        message=_("已完成"),
    )
    return Job.Status.SUCCEEDED


def job_task(*, retries: int = RETRIES, retry_delay: int = RETRY_DELAY_SECONDS, name=None):
    """Decorator: ``fn(job, **params)`` becomes a Huey task that takes the job id."""

    def decorator(fn):
        @wraps(fn)
        def run(job_id, task=None):
            # A worker drops stale connections between tasks, as Django does between
            # requests; not when run inside a transaction (immediate mode, tests).
            tidy = not HUEY.immediate and not connection.in_atomic_block
            if tidy:
                close_old_connections()
            try:
                return _run(fn, job_id, task)
            finally:
                if tidy:
                    close_old_connections()

        wrapper = HUEY.task(
            retries=retries,
            retry_delay=retry_delay,
            retry_backoff=2,
            context=True,
            name=name,
        )(run)
        wrapper.body = fn
        return wrapper

    return decorator


# -- reading ----------------------------------------------------------------------------------
def sees_all_jobs(actor) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return any(g.role in JOB_ADMIN_ROLES for g in grants_for(actor))


def jobs_visible_to(actor):
    """The jobs ``actor`` may see: his own; every job for superusers and the party office."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return Job.objects.none()
    jobs = Job.objects.select_related("started_by")
    if sees_all_jobs(actor):
        return jobs
    return jobs.filter(Q(started_by=actor))


def job_for(actor, pk) -> Job:
    """The job if ``actor`` may see it, else 404."""
    try:
        return jobs_visible_to(actor).get(pk=pk)
    except (Job.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# -- housekeeping -----------------------------------------------------------------------------
def jobs_purge(*, older_than_days: int = JOB_KEEP_DAYS, now=None) -> int:
    """Delete finished jobs (and their files) older than ``older_than_days``; returns count."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    old = Job.objects.filter(
        status__in=[Job.Status.SUCCEEDED, Job.Status.FAILED], finished_at__lt=cutoff
    )
    ids = list(old.values_list("pk", flat=True))
    for job_id in ids:
        shutil.rmtree(_jobs_root() / str(job_id), ignore_errors=True)
    Job.objects.filter(pk__in=ids).delete()
    return len(ids)


# 19:30 UTC is 03:30 in Beijing, when nobody works; Huey's clock runs in UTC.
@periodic_job(crontab(hour="19", minute="30"))
def purge_finished_jobs():
    return jobs_purge()
