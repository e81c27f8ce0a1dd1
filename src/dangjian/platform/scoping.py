"""The one scoping mechanism: who may see or touch which rows.

Every list, detail, form, export, search and API call starts from
``Model.objects.restrict(user, action)``, in the manner of NetBox's RestrictedQuerySet:

- a superuser passes;
- anonymous users and users without a grant that allows ``action`` on the model get
  ``.none()`` (deny by default);
- everyone else is filtered by their grants. A grant is a role held on one node of the
  administrative tree (``Unit``) or of the party tree (``PartyOrg``) and reaches the node's
  whole subtree — one indexed subquery per grant, never recursion in Python.

Models say how their rows hang on the trees with a ``Scope`` declaration::

    class RetailCustomer(models.Model):
        scope = Scope(unit="unit")
        objects = RestrictedManager()

Grants come from the function named in ``settings.DANGJIAN_GRANT_RESOLVER`` (the accounts
app), which keeps this module free of imports from domain apps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.module_loading import import_string

ACTIONS = ("view", "add", "change", "delete", "reveal", "export", "import")


@dataclass(frozen=True)
class Scope:
    """How a model's rows attach to the trees.

    ``unit`` / ``party``: lookup path from the model to a Unit / PartyOrg (``"pk"`` when the
    model is the tree itself). ``own``: lookup path to the user, for roles that see only
    their own records (a member sees his own profile).
    """

    unit: str | None = None
    party: str | None = None
    own: str | None = None


@dataclass(frozen=True)
class Grant:
    """A role on one tree node, resolved to what it allows.

    ``subtree`` is a queryset of the primary keys of the node and its descendants;
    ``perms`` maps ``app_label.model`` to the allowed actions; ``own_only`` limits the grant
    to records the user owns (``Scope.own``).
    """

    role: str
    tree: str  # "unit" or "party"
    node_id: int
    subtree: models.QuerySet
    perms: dict[str, frozenset[str]] = field(hash=False)
    own_only: frozenset[str] = frozenset()
    # The node is the only root of its tree: the subtree is the whole tree.
    covers_all: bool = False

    def allows(self, label: str, action: str) -> bool:
        return action in self.perms.get(label, frozenset())


@cache
def _resolver():
    return import_string(settings.DANGJIAN_GRANT_RESOLVER)


def grants_for(user) -> list[Grant]:
    """The user's grants, resolved once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_dangjian_grants", None)
    if cached is None:
        cached = list(_resolver()(user))
        user._dangjian_grants = cached
    return cached


def forget_grants(user) -> None:
    """Drop the per-object cache after the user's grants change."""
    if hasattr(user, "_dangjian_grants"):
        del user._dangjian_grants


def model_label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def user_can(user, action: str, model) -> bool:
    """Whether any grant allows ``action`` on ``model`` somewhere (for menus and buttons)."""
    if getattr(user, "is_superuser", False):
        return True
    label = model_label(model)
    return any(g.allows(label, action) for g in grants_for(user))


@cache
def _is_multi_valued(model, path: str) -> bool:
    """Whether following ``path`` from ``model`` can reach several rows (needs de-duplication)."""
    current = model
    for name in path.split("__"):
        if name == "pk":
            return False
        field = current._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        current = field.related_model
    return False


@cache
def _path_is_total(model, path: str) -> bool:
    """Whether every row reaches *some* tree node through ``path`` (pk, or a non-null FK)."""
    if path == "pk":
        return True
    if "__" in path:
        return False
    field = model._meta.get_field(path)
    return field.many_to_one and not field.null


# scope_filter's answer when a grant reaches every row: no WHERE clause at all.
EVERYTHING = Q()


def scope_filter(user, action: str, model) -> tuple[Q | None, bool]:
    """The Q object restricting ``model`` for ``user`` and ``action`` (None: deny all), and
    whether it crosses a multi-valued relation."""
    label = model_label(model)
    scope: Scope | None = getattr(model, "scope", None)
    if scope is None:
        raise TypeError(f"{label} has no Scope declaration and cannot be restricted")
    condition = None
    multi = False
    for grant in grants_for(user):
        if not grant.allows(label, action):
            continue
        if label in grant.own_only:
            if not scope.own:
                continue
            part = Q(**{scope.own: user})
            multi = multi or _is_multi_valued(model, scope.own)
        else:
            path = scope.unit if grant.tree == "unit" else scope.party
            if not path:
                continue
            if grant.covers_all and _path_is_total(model, path):
                # A grant on the only root reaches every row: filtering would only cost
                # a join over the whole table (seen at 1 M customers).
                return EVERYTHING, False
            part = Q(**{f"{path}__in": grant.subtree})
            multi = multi or _is_multi_valued(model, path)
        condition = part if condition is None else condition | part
    return condition, multi


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Rows of this queryset ``user`` may ``action``; nothing when no grant allows it."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if getattr(user, "is_superuser", False) and user.is_active:
            return self
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        condition, multi = scope_filter(user, action, self.model)
        if condition is None:
            return self.none()
        if condition is EVERYTHING:
            return self
        if multi:
            # A row reachable through a to-many join must still appear once.
            return self.filter(pk__in=self.model._base_manager.filter(condition).values("pk"))
        return self.filter(condition)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass


def get_restricted_or_404(model_or_qs, user, action: str = "view", **lookup):
    """The object if ``user`` may ``action`` it, else 404 — never 403, never a leak."""
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs.objects.all()
    try:
        return qs.restrict(user, action).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
