"""Inbox, bell, preferences, delivery log, group targets and templates — thin views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.platform.listing import paginate
from dangjian.platform.scoping import get_restricted_or_404, user_can

from . import selectors, services
from .forms import MessageTemplateForm, PreferencesForm, ReminderForm, TargetForm
from .models import (
    ChannelName,
    Delivery,
    MessageTemplate,
    Notification,
    NotificationTarget,
    ScheduledReminder,
)


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    items = selectors.inbox(request.user, unread_only=unread_only)
    listing = paginate(request, items, sort_fields={"at": "created_at"}, default_sort="-at")
    return render(
        request,
        "notifications/inbox.html",
        {
            "listing": listing,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
        },
    )


@login_required
def bell(request):
    """The navbar bell: an htmx fragment polled every minute."""
    return render(
        request, "notifications/bell.html", {"unread": selectors.unread_count(request.user)}
    )


@login_required
@require_POST
def mark_read(request, pk):
    # Only the user's own item: someone else's id is a 404, never a hint that it exists.
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notification_mark_read(user=request.user, notification=notification)
    if request.htmx:
        return render(
            request, "notifications/_inbox_item.html", {"item": notification, "fresh": True}
        )
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("已将 %(count)d 条通知标为已读") % {"count": count})
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, **form.switches())
        messages.success(request, _("通知偏好已保存"))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def delivery_log(request):
    """Every delivery with its status; office and auditors only."""
    rows = selectors.delivery_log(
        request.user,
        query=request.GET.get("q", "").strip(),
        status=request.GET.get("status", ""),
        channel=request.GET.get("channel", ""),
    )
    listing = paginate(
        request,
        rows,
        sort_fields={"at": "created_at", "status": "status"},
        default_sort="-at",
        per_page=50,
    )
    return render(
        request,
        "notifications/delivery_log.html",
        {
            "listing": listing,
            "statuses": Delivery.Status.choices,
            "channels": ChannelName.choices,
            "can_retry": user_can(request.user, "change", Delivery),
        },
    )


@login_required
@require_POST
def delivery_retry(request, pk):
    if not user_can(request.user, "change", Delivery):
        raise Http404
    delivery = get_object_or_404(Delivery.objects.select_related("message"), pk=pk)
    services.delivery_retry(actor=request.user, delivery=delivery)
    delivery.refresh_from_db()
    if delivery.status == Delivery.Status.SENT:
        messages.success(request, _("重试成功，已发送"))
    elif delivery.status == Delivery.Status.PENDING:
        messages.info(request, _("已重新排队发送"))
    else:
        messages.error(request, _("重试仍然失败：%(error)s") % {"error": delivery.last_error})
    return redirect("notifications:delivery_log")


@login_required
def target_list(request):
    """Group targets (WeChat Work robots, mailboxes) of the units the user manages."""
    if not user_can(request.user, "view", NotificationTarget):
        raise Http404
    targets = NotificationTarget.objects.restrict(request.user, "view").select_related("unit")
    query = request.GET.get("q", "").strip()
    if query:
        targets = targets.filter(name__contains=query)
    listing = paginate(request, targets, sort_fields={"name": "name"}, default_sort="name")
    return render(
        request,
        "notifications/target_list.html",
        {"listing": listing, "can_add": user_can(request.user, "add", NotificationTarget)},
    )


@login_required
def target_form(request, pk=None):
    if pk is None:
        if not user_can(request.user, "add", NotificationTarget):
            raise Http404
        target = NotificationTarget()
    else:
        target = get_restricted_or_404(NotificationTarget, request.user, "change", pk=pk)
    form = TargetForm(request.POST or None, instance=target, actor=request.user)
    if request.method == "POST" and form.is_valid():
        target = services.target_save(actor=request.user, form=form)
        messages.success(request, _("已保存：%(name)s") % {"name": target.name})
        return redirect("notifications:target_list")
    return render(request, "notifications/target_form.html", {"form": form, "target": target})


@login_required
@require_POST
def target_test(request, pk):
    target = get_restricted_or_404(NotificationTarget, request.user, "change", pk=pk)
    services.target_send_test(actor=request.user, target=target)
    messages.info(request, _("测试消息已发出，请在发送记录中查看结果"))
    return redirect("notifications:target_list")


@login_required
def template_list(request):
    if not user_can(request.user, "view", MessageTemplate):
        raise Http404
    return render(
        request,
        "notifications/template_list.html",
        {
            "templates": MessageTemplate.objects.all(),
            "can_change": user_can(request.user, "change", MessageTemplate),
        },
    )


@login_required
def template_edit(request, pk):
    if not user_can(request.user, "change", MessageTemplate):
        raise Http404
    template = get_object_or_404(MessageTemplate, pk=pk)
    form = MessageTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        services.message_template_update(actor=request.user, form=form)
        messages.success(request, _("消息模板已保存"))
        return redirect("notifications:template_list")
    return render(request, "notifications/template_form.html", {"form": form, "template": template})


@login_required
def reminder_list(request):
    """Scheduled reminders of the units the user manages, due first."""
    if not user_can(request.user, "view", ScheduledReminder):
        raise Http404
    reminders = ScheduledReminder.objects.restrict(request.user, "view").select_related(
        "unit", "created_by"
    )
    listing = paginate(request, reminders, sort_fields={"due": "due_at"}, default_sort="-due")
    return render(
        request,
        "notifications/reminder_list.html",
        {"listing": listing, "can_add": user_can(request.user, "add", ScheduledReminder)},
    )


@login_required
def reminder_create(request):
    if not user_can(request.user, "add", ScheduledReminder):
        raise Http404
    form = ReminderForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.reminder_schedule(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("已安排定时提醒，到时将自动发送。"))
            return redirect("notifications:reminder_list")
    return render(request, "notifications/reminder_form.html", {"form": form})
