"""Pickers for lists that grow with the organisation: a search box instead of a <select>.

A ``<select>`` of every member or branch a national office may manage is tens of thousands of
options (and shows every name to whoever opens the form). The picker renders a search input
and only the matches, as radio buttons (checkboxes when several may be chosen):

* with htmx, the matches follow the typing (the field's ``suggest_url``, see
  ``suggest_response``);
* without script, the 搜索 button submits the form with ``_pick`` and the view re-renders it
  unsaved with the matches (``is_pick_search`` / ``pick_search_initial``).

``clear_label`` (single picker, optional field: a filter) adds a radio with that label and an
empty value next to the chosen one, so the choice can be undone without script.

``suggest_url`` is a path (``reverse_lazy``) answering ``GET ?<field>_q=`` with
``suggest_response``. The field's queryset is its scope: a chosen id outside it fails validation with the same
message as an id that does not exist, so probing ids tells nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

SEARCH_BUTTON = "_pick"


class SearchPickWidget(forms.Widget):
    template_name = "platform/search_pick.html"

    def __init__(self, *, multiple: bool = False, attrs=None):
        super().__init__(attrs)
        self.multiple = multiple
        self.pick_field = None  # set per form instance by the field's get_bound_field
        self.query = ""

    def value_from_datadict(self, data, files, name):
        if self.multiple and hasattr(data, "getlist"):
            return data.getlist(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # an unchecked radio/checkbox group sends nothing: that means "none"

    def format_value(self, value):
        if value in (None, ""):
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return [str(getattr(v, "pk", v)) for v in values if v not in (None, "")]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field = self.pick_field
        chosen_ids = context["widget"]["value"]
        chosen = field.labelled(field.chosen(chosen_ids)) if field and chosen_ids else []
        chosen_pks = {pk for pk, _label in chosen}
        context["pick"] = {
            "query": self.query,
            "multiple": self.multiple,
            "chosen": chosen,
            "suggest_url": field.resolved_suggest_url if field else "",
            "placeholder": field.placeholder if field else "",
            "clear_label": field.clear_label if field and not self.multiple else "",
            "search_button": SEARCH_BUTTON,
            **(field.matches(self.query, exclude=chosen_pks) if field and self.query else {}),
        }
        return context


class _PickMixin:
    """Shared by the single and the multiple picker field."""

    def _setup(
        self, *, search, suggest_url, placeholder, min_chars, limit, label_for, clear_label=""
    ):
        self.search = search
        self.clear_label = clear_label
        self.suggest_url = suggest_url
        self.placeholder = placeholder or _("输入姓名、拼音或首字母")
        self.min_chars = min_chars
        self.limit = limit
        if label_for is not None:
            self.label_from_instance = label_for

    @property
    def resolved_suggest_url(self) -> str:
        return str(self.suggest_url) if self.suggest_url else ""

    def get_bound_field(self, form, field_name):
        # Fields (and their widgets) are copied per form instance: safe to bind here.
        self.widget.pick_field = self
        source = form.data if form.is_bound else form.initial
        self.widget.query = str(source.get(f"{field_name}_q") or "").strip()[:50]
        return super().get_bound_field(form, field_name)

    def chosen(self, ids) -> list:
        ids = [i for i in ids if str(i).isdigit()]
        return list(self.queryset.filter(pk__in=ids)) if ids else []

    def labelled(self, objects) -> list[tuple[int, str]]:
        return [(obj.pk, self.label_from_instance(obj)) for obj in objects]

    def matches(self, query: str, *, exclude=()) -> dict:
        """At most ``limit`` matches of ``query`` in scope, and whether there were more."""
        query = (query or "").strip()[:50]
        if len(query) < self.min_chars:
            return {"searched": True, "too_short": True, "options": [], "more": False}
        found = list(self.search(self.queryset, query).exclude(pk__in=exclude)[: self.limit + 1])
        return {
            "searched": True,
            "too_short": False,
            "options": self.labelled(found[: self.limit]),
            "more": len(found) > self.limit,
        }


NOT_IN_SCOPE = _("请从搜索结果中选择；所选项不存在或不在您的权限范围内")


class SearchPickField(_PickMixin, forms.ModelChoiceField):
    def __init__(
        self,
        queryset,
        *,
        search: Callable,
        suggest_url: str = "",
        placeholder=None,
        min_chars: int = 1,
        limit: int = 10,
        label_for: Callable | None = None,
        clear_label="",
        **kwargs,
    ):
        kwargs.setdefault("widget", SearchPickWidget())
        super().__init__(queryset, **kwargs)
        self.error_messages["invalid_choice"] = NOT_IN_SCOPE
        self._setup(
            search=search,
            suggest_url=suggest_url,
            placeholder=placeholder,
            min_chars=min_chars,
            limit=limit,
            label_for=label_for,
            clear_label=clear_label,
        )


class SearchPickMultipleField(_PickMixin, forms.ModelMultipleChoiceField):
    def __init__(
        self,
        queryset,
        *,
        search: Callable,
        suggest_url: str = "",
        placeholder=None,
        min_chars: int = 1,
        limit: int = 10,
        label_for: Callable | None = None,
        **kwargs,
    ):
        kwargs.setdefault("widget", SearchPickWidget(multiple=True))
        super().__init__(queryset, **kwargs)
        self.error_messages["invalid_choice"] = NOT_IN_SCOPE
        self.error_messages["invalid_pk_value"] = NOT_IN_SCOPE
        self._setup(
            search=search,
            suggest_url=suggest_url,
            placeholder=placeholder,
            min_chars=min_chars,
            limit=limit,
            label_for=label_for,
        )


def is_pick_search(request) -> bool:
    """The form was submitted by a picker's 搜索 button (no script): re-render, don't save."""
    return request.method == "POST" and SEARCH_BUTTON in request.POST


def pick_search_initial(request) -> dict:
    """The submitted values as ``initial`` for an unbound re-render (no error messages yet)."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in request.POST.lists()
        if key not in ("csrfmiddlewaretoken", SEARCH_BUTTON)
    }


def suggest_response(request, form, field_name: str):
    """The matches for the htmx suggestion list of ``form``'s picker ``field_name``."""
    field = form.fields[field_name]
    query = request.GET.get(f"{field_name}_q", request.GET.get("q", ""))
    return render(
        request,
        "platform/search_pick_options.html",
        {
            "pick": {"multiple": field.widget.multiple, **field.matches(query)},
            "widget": {"name": field_name},
        },
    )
