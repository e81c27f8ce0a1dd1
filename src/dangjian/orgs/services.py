"""Writes to the trees: create, update, move. One transaction each, validated, audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.platform.audit import record_event

from .models import TreeNode


def _check_can_change(actor, node: TreeNode | None, model) -> None:
    if node is None:
        if not actor.is_superuser:
            raise PermissionDenied(_("只有系统管理员可以创建顶层节点"))
        return
    if not model.objects.restrict(actor, "change").filter(pk=node.pk).exists():
        raise PermissionDenied(_("您无权修改“%(name)s”") % {"name": node.name})


@transaction.atomic
def node_create(
    *, actor, model, parent: TreeNode | None, name: str, code: str, kind: str, **extra
) -> TreeNode:
    """Add a node under ``parent`` (a root when None) after checking the kind fits."""
    _check_can_change(actor, parent, model)
    node = model(
        name=name, code=code, kind=kind, **{k: v for k, v in extra.items() if k != "units"}
    )
    node.clean_kind_under(parent)
    node.full_clean(exclude=["path", "depth", "numchild"])
    node = (
        model.objects.add_child(parent, instance=node)
        if parent
        else model.objects.add_root(instance=node)
    )
    if "units" in extra:
        node.units.set(extra["units"])
    record_event(actor=actor, verb=f"{model._meta.model_name}.create", target=node, summary=name)
    return node


@transaction.atomic
def node_update(*, actor, node: TreeNode, **fields) -> TreeNode:
    """Rename or edit a node; the kind must still fit under its parent."""
    _check_can_change(actor, node, type(node))
    units = fields.pop("units", None)
    for key, value in fields.items():
        setattr(node, key, value)
    node.clean_kind_under(node.get_parent())
    node.full_clean(exclude=["path", "depth", "numchild"])
    node.save()
    if units is not None:
        node.units.set(units)
    record_event(
        actor=actor, verb=f"{node._meta.model_name}.update", target=node, summary=node.name
    )
    return node


@transaction.atomic
def node_move(*, actor, node: TreeNode, new_parent: TreeNode) -> TreeNode:
    """Move ``node`` and its subtree under ``new_parent``."""
    model = type(node)
    _check_can_change(actor, node, model)
    _check_can_change(actor, new_parent, model)
    if new_parent.path.startswith(node.path):
        raise ValidationError({"parent": _("不能移动到自身或其下级之下")})
    node.clean_kind_under(new_parent)
    old_parent = node.get_parent()
    node.move(new_parent, pos="last-child")
    node = model.objects.get(pk=node.pk)
    # treebeard's move bypasses save(); record history explicitly.
    node.save()
    record_event(
        actor=actor,
        verb=f"{model._meta.model_name}.move",
        target=node,
        summary=f"{old_parent} → {new_parent}",
        data={"from": getattr(old_parent, "pk", None), "to": new_parent.pk},
    )
    return node
