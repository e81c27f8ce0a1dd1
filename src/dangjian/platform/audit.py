"""Recording business events and personal-data access from services and views."""

from __future__ import annotations

from .models import AccessLog, AuditEvent
from .scoping import model_label


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def record_event(
    *, actor, verb: str, target, summary: str = "", data: dict | None = None
) -> AuditEvent:
    """Record that ``actor`` did ``verb`` to ``target`` (a model instance)."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        target_type=model_label(type(target)),
        target_id=str(target.pk),
        summary=summary[:500],
        data=data or {},
    )


def log_access(
    *, user, action: str, model, object_id="", field="", rows=1, detail="", request=None, via="web"
) -> AccessLog:
    """Write the access-log row for a reveal or an export of personal data."""
    return AccessLog.objects.create(
        user=user,
        action=action,
        model=model_label(model),
        object_id=str(object_id or ""),
        field=field,
        rows=rows,
        detail=detail[:500],
        ip=client_ip(request),
        via=via,
    )


# ---------------------------------------------------------------------------------------
# Reading events back (for compliance and formalism checks). These are system-level reads:
# AuditEvent has no tree scope, so callers showing events to a user must first check that
# the user may see the target record itself.
# ---------------------------------------------------------------------------------------


def events(
    *,
    verb: str | None = None,
    verb_prefix: str | None = None,
    actor=None,
    target=None,
    target_type=None,
    since=None,
    until=None,
):
    """Events matching every given filter, newest first.

    ``verb`` exact (``"customer.update"``) or ``verb_prefix`` (``"customer."``); ``actor`` a
    user; ``target`` a model instance; ``target_type`` a model class or ``"app.model"``
    label; ``since`` inclusive and ``until`` exclusive aware datetimes.
    """
    qs = AuditEvent.objects.select_related("actor")
    if verb is not None:
        qs = qs.filter(verb=verb)
    if verb_prefix is not None:
        qs = qs.filter(verb__startswith=verb_prefix)
    if actor is not None:
        qs = qs.filter(actor=actor)
    if target is not None:
        qs = qs.filter(target_type=model_label(type(target)), target_id=str(target.pk))
    if target_type is not None:
        label = target_type if isinstance(target_type, str) else model_label(target_type)
        qs = qs.filter(target_type=label)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")


def events_for(target, **filters):
    """Everything recorded about one record, newest first (other filters as in events())."""
    return events(target=target, **filters)


def last_event(target, verb: str | None = None) -> AuditEvent | None:
    """The newest event about ``target`` (of ``verb`` if given), or None."""
    return events(target=target, verb=verb).first()
