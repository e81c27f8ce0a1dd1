"""Background work for 三评 results (thin: ids in, one service called)."""

from functools import partial

from django.utils.translation import gettext as _

from dangjian.appraisal.models import Campaign
from dangjian.platform.jobs import JobFailed, job_attach_file, job_progress, job_task

from . import reports, services


@job_task()
def compute_results_task(job, *, campaign_id: int):
    """Recompute a campaign's results; progress shows each SQL stage."""
    campaign = Campaign.objects.filter(pk=campaign_id).select_related("party_org").first()
    if campaign is None:
        raise JobFailed(_("评议活动不存在"))
    run = services.results_compute(
        actor=job.started_by, campaign=campaign, progress=partial(job_progress, job.pk)
    )
    return {
        "members": run.members,
        "sheets": run.sheets,
        "excluded": run.excluded,
        "seconds": float(run.seconds),
    }


@job_task()
def report_pdf_task(job, *, campaign_id: int):
    """Render the campaign report PDF for the job's starter (his part of the campaign)."""
    campaign = Campaign.objects.filter(pk=campaign_id).select_related("party_org").first()
    if campaign is None:
        raise JobFailed(_("评议活动不存在"))
    job_progress(job.pk, 10, _("汇总数据"))
    pdf = reports.campaign_report_pdf(job.started_by, campaign)
    path = job_attach_file(
        job, "report.pdf", download_name=_("%(c)s评议报告.pdf") % {"c": campaign.name}
    )
    path.write_bytes(pdf)
    return {"bytes": len(pdf)}
