"""The upload page every all-or-nothing import shares: permission, form, job, progress page.

Views keep their own URL, decorator (``tabular.limit_upload_size``) and template; this is the
part that was written out again in each of them.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .jobs import job_start
from .scoping import user_can
from .tabular import TableUploadForm


def import_upload_page(
    request, *, model, kind: str, task, what: str, template: str, context=None, **params
):
    """404 without the ``import`` action on ``model``; a valid upload starts ``task`` as a
    job titled 「导入<what>：<file name>」 and goes to its progress page; otherwise the form
    (with the size refusal, if any) is rendered in ``template``."""
    if not user_can(request.user, "import", model):
        raise Http404
    form = TableUploadForm.for_request(request)
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        job = job_start(
            actor=request.user,
            kind=kind,
            task=task,
            title=_("导入%(what)s：%(name)s") % {"what": what, "name": upload.name},
            files={"file": upload},
            **params,
        )
        return redirect("platform:job_detail", pk=job.pk)
    return render(
        request, template, {"form": form, "refused": request.upload_refused, **(context or {})}
    )
