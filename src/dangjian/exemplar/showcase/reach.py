""" "May this user add a child row here?" — asked before the row exists.

``restrict()`` answers for rows that exist. To add a commitment to a card (or a measure to a
self-inspection) the question is whether a grant allowing ``add`` on the *child* model
reaches the *parent*: the child's scope paths all start with the relation to the parent, so
the same per-grant condition, with that prefix taken off, filters the parent. One grant
decides, as everywhere else — never "may view here" combined with "may add somewhere".
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from dangjian.platform.scoping import EVERYTHING, grants_for, model_label, scope_filter


def _rewrite(condition: Q, via: dict[str, str]) -> Q:
    clone = Q()
    clone.connector, clone.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            clone.children.append(_rewrite(child, via))
            continue
        key, value = child
        for old, new in via.items():
            if key == old or key.startswith(old + "__"):
                key = (new + key[len(old) :]).lstrip("_")
                break
        else:
            raise ValueError(f"scope path {key!r} is not under {sorted(via)}")
        clone.children.append((key, value))
    return clone


def reachable(actor, action: str, model, via: str | dict[str, str], parents: QuerySet) -> QuerySet:
    """The ``parents`` that one of ``actor``'s grants allowing ``action`` on ``model`` reaches.

    ``via``: the relation from ``model`` to its parent (``"card"``), or a mapping from the
    first parts of ``model``'s scope paths to paths on the parent (``{"person": "",
    "branch": "membership__branch"}``: a new inspection takes the member's branch)."""
    if getattr(actor, "is_superuser", False) and actor.is_active:
        return parents
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return parents.none()
    condition, multi = scope_filter(actor, action, model)
    if condition is None:
        return parents.none()
    if condition is EVERYTHING:
        return parents
    parent_q = _rewrite(condition, {via: ""} if isinstance(via, str) else via)
    if multi:
        return parents.filter(pk__in=parents.model._base_manager.filter(parent_q).values("pk"))
    return parents.filter(parent_q)


def reaches(actor, action: str, model, via: str | dict[str, str], parent) -> bool:
    """Whether one of ``actor``'s grants allowing ``action`` on ``model`` reaches ``parent``."""
    manager = type(parent)._base_manager
    return reachable(actor, action, model, via, manager.filter(pk=parent.pk)).exists()


def is_officer(actor, action: str, model) -> bool:
    """Whether a grant allows ``action`` on ``model`` beyond the actor's own rows (a branch
    officer, the office …), not only as the member the row is about."""
    if getattr(actor, "is_superuser", False):
        return True
    label = model_label(model)
    return any(g.allows(label, action) and label not in g.own_only for g in grants_for(actor))
