"""Job pages: the user's jobs, one job with a live progress bar, its result file."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from .audit import log_access
from .jobs import job_for, job_live, job_path, jobs_visible_to, sees_all_jobs
from .listing import paginate
from .models import Job


@login_required
def job_list(request):
    jobs = jobs_visible_to(request.user)
    listing = paginate(
        request, jobs, sort_fields={"created": "created_at"}, default_sort="-created"
    )
    return render(
        request,
        "platform/job_list.html",
        {"listing": listing, "sees_all": sees_all_jobs(request.user)},
    )


@login_required
def job_detail(request, pk):
    job = job_for(request.user, pk)
    pct, message = job_live(job)
    context = {"job": job, "pct": pct, "message": message}
    if request.htmx:
        return render(request, "platform/job_progress.html", context)
    return render(request, "platform/job_detail.html", context)


@login_required
def job_download(request, pk):
    job = job_for(request.user, pk)
    if not job.result_file:
        raise Http404
    try:
        path = job_path(job.result_file)
    except ValueError as exc:
        raise Http404 from exc
    if not path.exists():
        raise Http404
    # Result files echo uploaded personal data (phones, names): log the download.
    log_access(
        user=request.user,
        action="export",
        model=Job,
        object_id=job.pk,
        detail=job.result_filename,
        request=request,
    )
    response = FileResponse(open(path, "rb"))  # noqa: SIM115 - closed by FileResponse
    name = job.result_filename or path.name
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
