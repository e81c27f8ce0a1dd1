"""API: administrative units and party organisations (read-only; trees change on the web)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from ninja import Field, Query, Router, Schema

from dangjian.platform.api import PageParams, page
from dangjian.platform.scoping import get_restricted_or_404

from .models import PartyOrg, TreeNode, Unit

router = Router(tags=["组织"])


class NodeFilters(PageParams):
    kind: str = Field("", description="类型，如 bureau、market_area、branch、group")
    parent: int | None = Field(None, description="只列出该节点的直接下级")
    q: str = Field("", description="名称包含或编码等于")


class UnitOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    kind_display: str
    depth: int
    parent_id: int | None
    is_active: bool


class UnitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UnitOut]


class PartyOrgOut(UnitOut):
    secretary_name: str
    established_on: dt.date | None
    unit_ids: list[int] = Field(description="覆盖单位")


class PartyOrgPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PartyOrgOut]


def _filtered(model, user, filters: NodeFilters):
    nodes = model.objects.restrict(user, "view")
    if filters.kind:
        nodes = nodes.filter(kind=filters.kind)
    if filters.parent is not None:
        # The parent itself may lie above the user's scope; its children are still restricted.
        parent = model._base_manager.filter(pk=filters.parent).only("path", "depth").first()
        if parent is None:
            return nodes.none()
        nodes = nodes.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if filters.q:
        nodes = nodes.filter(Q(name__contains=filters.q.strip()) | Q(code=filters.q.strip()))
    return nodes.order_by("path")


def _parent_ids(model, nodes: list[TreeNode]) -> dict[str, int]:
    """Map parent paths to ids in one query (materialized paths carry no parent column)."""
    paths = {n.path[: -model.steplen] for n in nodes if n.depth > 1}
    if not paths:
        return {}
    return dict(model._base_manager.filter(path__in=paths).values_list("path", "pk"))


def _node_out(node, parents: dict[str, int]) -> dict:
    return {
        "id": node.pk,
        "name": node.name,
        "code": node.code,
        "kind": node.kind,
        "kind_display": str(node.get_kind_display()),
        "depth": node.depth,
        "parent_id": parents.get(node.path[: -type(node).steplen]) if node.depth > 1 else None,
        "is_active": node.is_active,
    }


def _units_out(units: list[Unit]) -> list[dict]:
    parents = _parent_ids(Unit, units)
    return [_node_out(u, parents) for u in units]


def _orgs_out(orgs: list[PartyOrg]) -> list[dict]:
    parents = _parent_ids(PartyOrg, orgs)
    return [
        {
            **_node_out(o, parents),
            "secretary_name": o.secretary_name,
            "established_on": o.established_on,
            "unit_ids": [u.pk for u in o.units.all()],
        }
        for o in orgs
    ]


@router.get("/units", response=UnitPage, summary="单位列表")
def unit_list(request, filters: Query[NodeFilters]):
    return page(_filtered(Unit, request.auth, filters), filters, _units_out)


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情")
def unit_detail(request, unit_id: int):
    unit = get_restricted_or_404(Unit, request.auth, "view", pk=unit_id)
    return _units_out([unit])[0]


@router.get("/party-orgs", response=PartyOrgPage, summary="党组织列表")
def party_org_list(request, filters: Query[NodeFilters]):
    orgs = _filtered(PartyOrg, request.auth, filters).prefetch_related("units")
    return page(orgs, filters, _orgs_out)


@router.get("/party-orgs/{org_id}", response=PartyOrgOut, summary="党组织详情")
def party_org_detail(request, org_id: int):
    org = get_restricted_or_404(
        PartyOrg.objects.prefetch_related("units"), request.auth, "view", pk=org_id
    )
    return _orgs_out([org])[0]
