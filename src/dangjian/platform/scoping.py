"""The one scoping mechanism: who may see or touch which rows.

Every list, detail, form, export, search and API call starts from
``Model.objects.restrict(user, action)``, in the manner of NetBox's RestrictedQuerySet:

- a superuser passes;
- anonymous users and users without a grant that allows ``action`` on the model get
  ``.none()`` (deny by default);
- everyone else is filtered by their grants. A grant is a role held on one node of the
  administrative tree (``Unit``) or of the party tree (``PartyOrg``) and reaches the node's
  whole subtree — one indexed subquery per grant, never recursion in Python. When a model
  hangs on a tree through a many-to-many link (a ticket's unit is covered by party
  branches: ``unit__party_orgs``), the grant is first turned into the list of linked ids
  (the units the branch covers, one small query per request) and the rows are filtered on
  that list — a plain ``unit_id IN (…)`` the planner can estimate, instead of a join
  through the link table de-duplicated by ``id IN (SELECT …)``.

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
    # Ids reached through a many-to-many link, resolved once per request (see _linked_ids).
    linked: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

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


def _is_tree(model) -> bool:
    """Whether ``model`` is a tree of nodes itself (its scope path to a tree is ``pk``)."""
    scope = getattr(model, "scope", None)
    return scope is not None and "pk" in (scope.unit, scope.party)


@cache
def _link_tail(model, path: str) -> tuple[str, type, str] | None:
    """``(prefix, tree model, link)`` when ``path`` is a single-valued ``prefix`` (``"pk"``:
    the model itself) to a node of one tree followed by the many-to-many ``link`` to the
    other tree (``unit__party_orgs`` → ``unit``, Unit, ``party_orgs``); None otherwise."""
    names = path.split("__")
    current = model
    for name in names[:-1]:
        field = current._meta.get_field(name)
        if not field.is_relation or field.many_to_many or field.one_to_many:
            return None
        current = field.related_model
    if names[-1] == "pk" or not _is_tree(current):
        return None
    if not current._meta.get_field(names[-1]).many_to_many:
        return None
    return "__".join(names[:-1]) or "pk", current, names[-1]


# Past this many linked ids the grant stays a subquery (a provincial committee covering
# thousands of units): a literal list that long costs more to send and plan than it saves.
LINKED_IDS_LIMIT = 1000


def _linked_ids(grant: Grant, target, link: str) -> list[int] | None:
    """The ids of ``target`` rows linked through ``link`` to the grant's subtree (the units a
    branch covers), or None when there are more than ``LINKED_IDS_LIMIT``. Resolved once per
    grant object, i.e. once per request, like the grants themselves."""
    key = (model_label(target), link)
    if key not in grant.linked:
        ids = list(
            target._base_manager.filter(**{f"{link}__in": grant.subtree})
            .order_by()
            .values_list("pk", flat=True)
            .distinct()[: LINKED_IDS_LIMIT + 1]
        )
        grant.linked[key] = ids if len(ids) <= LINKED_IDS_LIMIT else None
    return grant.linked[key]


def grant_condition(grant: Grant, model, path: str) -> tuple[Q, bool]:
    """One grant's reach on ``model`` along the scope ``path`` (a path to the grant's tree),
    and whether the condition crosses a multi-valued relation.

    A path ending in a many-to-many link from a single-valued prefix (``unit__party_orgs``)
    is resolved to the prefix's ids first: ``unit_id IN (1, 2, 3)``, not a join through the
    link table that the caller must de-duplicate. Who is reached is the same either way."""
    tail = _link_tail(model, path)
    if tail is not None:
        prefix, target, link = tail
        ids = None if grant.covers_all else _linked_ids(grant, target, link)
        if ids is None:  # many ids: the same set as an (undoubled) subquery
            linked = target._base_manager.filter(**{f"{link}__in": grant.subtree}).values("pk")
            return Q(**{f"{prefix}__in": linked}), _is_multi_valued(model, prefix)
        return Q(**{f"{prefix}__in": ids}), _is_multi_valued(model, prefix)
    return Q(**{f"{path}__in": grant.subtree}), _is_multi_valued(model, path)


# scope_filter's answer when a grant reaches every row: no WHERE clause at all.
EVERYTHING = Q()


def scope_filter(user, action: str, model, *, own: bool = True) -> tuple[Q | None, bool]:
    """The Q object restricting ``model`` for ``user`` and ``action`` (None: deny all), and
    whether it crosses a multi-valued relation.

    ``own=False`` leaves out own-only grants (a member's own records): the reach of the
    user's grants on tree nodes only."""
    label = model_label(model)
    scope: Scope | None = getattr(model, "scope", None)
    if scope is None:
        raise TypeError(f"{label} has no Scope declaration and cannot be restricted")
    grants = []
    for grant in grants_for(user):
        if not grant.allows(label, action):
            continue
        if label in grant.own_only:
            if own and scope.own:
                grants.append((grant, None))
            continue
        path = scope.unit if grant.tree == "unit" else scope.party
        if not path:
            continue
        if grant.covers_all and _path_is_total(model, path):
            # A grant on the only root reaches every row: filtering would only cost
            # a join over the whole table (seen at 1 M customers).
            return EVERYTHING, False
        grants.append((grant, path))
    condition = None
    multi = False
    for grant, path in grants:
        if path is None:
            part, part_multi = Q(**{scope.own: user}), _is_multi_valued(model, scope.own)
        else:
            part, part_multi = grant_condition(grant, model, path)
        multi = multi or part_multi
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
