"""Reads of the trees, always within the actor's scope."""

from __future__ import annotations


def scoped_roots(actor, model):
    """The topmost nodes the actor can see (their ancestors are out of scope)."""
    roots = []
    last_root_path = None
    for node in (
        model.objects.restrict(actor, "view").only("pk", "path").order_by("path").iterator()
    ):
        if last_root_path is not None and node.path.startswith(last_root_path):
            continue
        roots.append(node.pk)
        last_root_path = node.path
    return model.objects.filter(pk__in=roots).order_by("path")


def scoped_children(actor, model, node):
    return (
        model.objects.restrict(actor, "view")
        .filter(path__startswith=node.path, depth=node.depth + 1)
        .order_by("path")
    )


def tree_rows_for_export(actor, model):
    return model.objects.restrict(actor, "view").order_by("path")


def scoped_ancestors(actor, model, node):
    """The node's ancestors the actor can see, top first — one query, not one per level.

    In a materialized-path tree the ancestors' paths are the prefixes of the node's path.
    """
    prefixes = [node.path[:end] for end in range(model.steplen, len(node.path), model.steplen)]
    if not prefixes:
        return model.objects.none()
    return model.objects.restrict(actor, "view").filter(path__in=prefixes).order_by("path")
