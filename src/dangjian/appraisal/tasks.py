"""Background jobs of 三评: customer tokens for a campaign, batch slips of a market area."""

from __future__ import annotations

from django.utils.translation import gettext as _

from dangjian.platform.jobs import JobFailed, job_attach_file, job_progress, job_task

from . import services, slips
from .models import Campaign


@job_task()
def generate_tokens(job, campaign_id: int):
    if not Campaign.objects.filter(pk=campaign_id).exists():
        raise JobFailed(_("评议活动不存在"))
    return services.tokens_write(
        campaign_id=campaign_id, progress=lambda pct, msg: job_progress(job.pk, pct, msg)
    )


@job_task()
def area_slips(job, campaign_id: int, unit_id: int):
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise JobFailed(_("评议活动不存在"))
    tokens = slips.area_tokens(campaign, unit_id)
    if not tokens:
        raise JobFailed(_("该片区没有客户评议码，请先生成评议码"))
    job_progress(job.pk, 10, _("正在排版 %(n)s 张评议卡") % {"n": len(tokens)})
    pdf = slips.slips_pdf(campaign, tokens)
    unit_name = tokens[0].customer.unit.name
    path = job_attach_file(
        job, "slips.pdf", download_name=_("客户评议卡-%(u)s.pdf") % {"u": unit_name}
    )
    path.write_bytes(pdf)
    return {"slips": len(tokens)}
