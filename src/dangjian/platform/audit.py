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
