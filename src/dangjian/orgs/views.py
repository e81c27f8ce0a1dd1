from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.platform.excel import xlsx_response
from dangjian.platform.history import history_rows
from dangjian.platform.scoping import get_restricted_or_404, user_can
from dangjian.platform.tabular import limit_upload_size
from dangjian.platform.upload import import_upload_page

from . import selectors, services
from .forms import MoveForm, PartyOrgForm, UnitForm
from .importing import COLUMNS as IMPORT_COLUMNS
from .models import PartyOrg, Unit
from .tasks import import_tree

TREES = {
    "unit": (Unit, UnitForm, _("单位")),
    "party": (PartyOrg, PartyOrgForm, _("党组织")),
}


def _tree(tree: str):
    if tree not in TREES:
        raise Http404
    return TREES[tree]


def _form(form_class, actor, *args, **kwargs):
    if form_class is PartyOrgForm:
        kwargs["actor"] = actor
    return form_class(*args, **kwargs)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def tree(request, tree):
    model, _form_class, title = _tree(tree)
    if not user_can(request.user, "view", model):
        raise Http404
    roots = selectors.scoped_roots(request.user, model)
    return render(
        request,
        "orgs/tree.html",
        {
            "tree": tree,
            "title": title,
            "roots": roots,
            "can_export": user_can(request.user, "export", model),
            "can_import": user_can(request.user, "import", model),
        },
    )


@login_required
def children(request, tree, pk):
    model, _form_class, _title = _tree(tree)
    node = get_restricted_or_404(model, request.user, pk=pk)
    return render(
        request,
        "orgs/_children.html",
        {"tree": tree, "nodes": selectors.scoped_children(request.user, model, node)},
    )


@login_required
def detail(request, tree, pk):
    model, _form_class, title = _tree(tree)
    node = get_restricted_or_404(model, request.user, pk=pk)
    context = {
        "tree": tree,
        "title": title,
        "node": node,
        "ancestors": selectors.scoped_ancestors(request.user, model, node),
        "children": selectors.scoped_children(request.user, model, node),
        "history": history_rows(node),
        "can_change": model.objects.restrict(request.user, "change").filter(pk=pk).exists(),
    }
    if tree == "party":
        context["units"] = node.units.all()
        context["member_count"] = (
            node.members.count() if node.kind == PartyOrg.Kind.BRANCH else None
        )
    else:
        context["customer_count"] = node.customers.count()
        context["people_count"] = node.people.count()
    return render(request, "orgs/detail.html", context)


@login_required
def edit(request, tree, pk):
    model, form_class, title = _tree(tree)
    node = get_restricted_or_404(model, request.user, "change", pk=pk)
    form = _form(form_class, request.user, request.POST or None, instance=node)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            services.node_update(actor=request.user, node=model.objects.get(pk=pk), **fields)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存“%(name)s”") % {"name": fields["name"]})
            return redirect("orgs:detail", tree=tree, pk=pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "tree": tree, "title": title, "node": node, "heading": _("编辑")},
    )


@login_required
def add_child(request, tree, pk):
    model, form_class, title = _tree(tree)
    parent = get_restricted_or_404(model, request.user, "change", pk=pk)
    form = _form(form_class, request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            node = services.node_create(
                actor=request.user, model=model, parent=parent, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已创建“%(name)s”") % {"name": node.name})
            return redirect("orgs:detail", tree=tree, pk=node.pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "tree": tree, "title": title, "node": parent, "heading": _("新增下级")},
    )


@login_required
def move(request, tree, pk):
    model, _form_class, title = _tree(tree)
    node = get_restricted_or_404(model, request.user, "change", pk=pk)
    targets = model.objects.restrict(request.user, "change").exclude(path__startswith=node.path)
    targets = targets.filter(kind__in=[k for k in node.PARENT_KINDS.get(node.kind, ()) if k])
    form = MoveForm(request.POST or None, queryset=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.node_move(
                actor=request.user, node=node, new_parent=form.cleaned_data["parent"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已移动“%(name)s”") % {"name": node.name})
            return redirect("orgs:detail", tree=tree, pk=pk)
    return render(
        request,
        "orgs/form.html",
        {"form": form, "tree": tree, "title": title, "node": node, "heading": _("移动")},
    )


@login_required
def export(request, tree):
    model, _form_class, title = _tree(tree)
    if not user_can(request.user, "export", model):
        raise Http404
    nodes = selectors.tree_rows_for_export(request.user, model)
    kinds = dict(model.Kind.choices)
    by_path = dict(nodes.values_list("path", "code"))

    def rows():
        for node in nodes.iterator(chunk_size=2000):
            yield [
                node.code,
                node.name,
                kinds.get(node.kind, node.kind),
                by_path.get(node.path[: -model.steplen], ""),
                node.depth,
                node.is_active,
            ]

    return xlsx_response(
        filename=f"{title}.xlsx",
        title=str(title),
        headers=[_("编码"), _("名称"), _("类型"), _("上级编码"), _("层级"), _("启用")],
        rows=rows(),
    )


# -- import (runs as a background job) --------------------------------------------------------


@login_required
@limit_upload_size
def tree_import(request, tree):
    model, _form_class, title = _tree(tree)
    return import_upload_page(
        request,
        model=model,
        kind=f"orgs.import.{tree}",
        task=import_tree,
        what=title,
        template="orgs/import.html",
        tree=tree,
        context={"tree": tree, "title": title, "columns": IMPORT_COLUMNS},
    )
