"""Shared pieces of the REST API: pagination, Chinese error bodies, form-backed payloads.

The API validates writes with the same Django forms as the web pages, so a client gets the
same message a user sees ("身份证号：身份证号校验位错误"). Domain routers call the helpers here;
``dangjian/api.py`` installs the exception handlers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms.models import model_to_dict
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from dangjian.platform.listing import COUNT_CAP

from .audit import log_access
from .forms import form_errors_text
from .scoping import get_restricted_or_404


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON without \\u escapes: readable Chinese in curl and logs."""

    json_dumps_params = {"ensure_ascii": False}


class ErrorOut(Schema):
    detail: str = Field(description="中文说明，可直接展示给用户")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="按字段列出的错误（字段名 → 消息列表）"
    )


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=200, description="每页条数（1–200）")
    offset: int = Field(0, ge=0, description="跳过的条数")


class RevealIn(Schema):
    field: str = Field(description="要显示明文的字段，如 id_number、phone")


class RevealOut(Schema):
    field: str
    value: str


class PayloadInvalid(Exception):
    """A write payload failed validation: answered as 422 with per-field messages."""

    def __init__(self, errors: dict[str, list[str]], detail: str = ""):
        self.errors = errors
        self.detail = detail or "；".join(
            f"{name}：{msg}" if name else msg for name, msgs in errors.items() for msg in msgs
        )
        super().__init__(self.detail)


def page(queryset, params: PageParams, convert) -> dict:
    """One capped count and one slice; ``convert`` turns the page's rows into response dicts.

    ``count`` stops at COUNT_CAP + 1 (an exact count of a million rows costs more than the
    page): a client pages on until a page comes back short.
    """
    rows = list(queryset[params.offset : params.offset + params.limit])
    return {
        # Unordered: the sort does not change the count, and a LIMITed count of a sorted
        # query makes the database sort (or walk the sort index) up to COUNT_CAP rows first.
        "count": queryset.order_by()[: COUNT_CAP + 1].count(),
        "limit": params.limit,
        "offset": params.offset,
        "items": convert(rows),
    }


def form_data(instance: models.Model, form_class, payload: dict, *, exclude=()) -> dict:
    """The instance's current values overlaid with what the client sent.

    A partial update (and a create that leaves defaults out) must not reset unsent fields,
    which a bare form would do for check boxes.
    """
    names = [n for n in form_class._meta.fields if n not in exclude]
    data = model_to_dict(instance, fields=names)
    data.update({k: v for k, v in payload.items() if k in names})
    return {k: ("" if v is None else v) for k, v in data.items()}


def only_sent_fields(form, sent: dict) -> None:
    """On an update, validate only what the client sent; the rest keeps its stored value.

    Re-validating unsent values would fail on choices the actor may keep but not pick
    (e.g. an account manager who cannot list people keeps his customer's manager).
    """
    for name in list(form.fields):
        if name not in sent:
            del form.fields[name]


def raise_form_errors(*forms_with_prefix) -> None:
    """Raise PayloadInvalid for every invalid form; ``(form, prefix)`` pairs."""
    errors: dict[str, list[str]] = {}
    texts = []
    for form, prefix in forms_with_prefix:
        if form is None or not form.errors:
            continue
        texts.append(form_errors_text(form))
        for name, messages in form.errors.items():
            key = f"{prefix}{name}" if name != "__all__" else prefix.rstrip(".") or "__all__"
            errors.setdefault(key, []).extend(str(m) for m in messages)
    if errors:
        raise PayloadInvalid(errors, "；".join(texts))


def add_model_errors(exc, form, *others) -> None:
    """Put a model ValidationError raised by a service onto the form that has the field
    (else onto the first form as a general error), like the web views do."""
    for field, messages in getattr(exc, "error_dict", {None: exc.error_list}).items():
        target = next((f for f in (form, *others) if f is not None and field in f.fields), None)
        if target is None:
            form.add_error(None, messages)
        else:
            target.add_error(field, messages)


def reveal(request, model, pk: int, field: str) -> dict:
    """Return one personal field in clear and write the access log (via="api").

    Out of view scope → 404; in view scope but no "reveal" right → 403.
    """
    if field not in getattr(model, "PERSONAL_FIELDS", ()):
        raise PayloadInvalid(
            {"field": [_("只能显示以下字段：%(f)s") % {"f": "、".join(model.PERSONAL_FIELDS)}]}
        )
    user = request.auth
    obj = model.objects.restrict(user, "reveal").filter(pk=pk).first()
    if obj is None:
        get_restricted_or_404(model, user, "view", pk=pk)
        raise PermissionDenied(_("您无权查看该字段的明文"))
    log_access(
        user=user,
        action="reveal",
        model=model,
        object_id=pk,
        field=field,
        request=request,
        via="api",
    )
    return {"field": field, "value": getattr(obj, field) or ""}


# Field labels for schema-level errors (wrong type, missing field), per top-level path
# segment of the API ("people", "customers"): pydantic does not know our Chinese labels.
FIELD_LABELS: dict[str, dict[str, str]] = {}


def register_field_labels(segment: str, *model_classes, extra: dict | None = None) -> None:
    labels = FIELD_LABELS.setdefault(segment, {})
    for model_class in model_classes:
        for f in model_class._meta.get_fields():
            if hasattr(f, "verbose_name"):
                labels.setdefault(f.name, str(f.verbose_name))
    labels.update(extra or {})


_TYPE_MESSAGES = {
    "missing": gettext_lazy("此项为必填项"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_type": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "bool_parsing": gettext_lazy("应为 true 或 false"),
    "bool_type": gettext_lazy("应为 true 或 false"),
    "date_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD"),
    "date_from_datetime_parsing": gettext_lazy("日期格式应为 YYYY-MM-DD"),
    "date_type": gettext_lazy("日期格式应为 YYYY-MM-DD"),
    "string_type": gettext_lazy("应为文本"),
    "greater_than_equal": gettext_lazy("数值过小"),
    "less_than_equal": gettext_lazy("数值过大"),
    "json_invalid": gettext_lazy("请求体不是有效的 JSON"),
    "model_attributes_type": gettext_lazy("格式不正确"),
    "dict_type": gettext_lazy("应为对象"),
    "literal_error": gettext_lazy("取值无效"),
    "enum": gettext_lazy("取值无效"),
}


def _labels_for(request) -> dict[str, str]:
    for segment in request.path.split("/"):
        if segment in FIELD_LABELS:
            return FIELD_LABELS[segment]
    return {}


def schema_errors(request, exc: ValidationError) -> PayloadInvalid:
    """Turn django-ninja's (pydantic's) errors into the same shape as form errors."""
    labels = _labels_for(request)
    errors: dict[str, list[str]] = {}
    texts = []
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", ()) if p not in ("body", "payload", "query")]
        loc = [p for p in loc if p != "filters"]
        name = ".".join(loc)
        message = str(_TYPE_MESSAGES.get(error.get("type", ""), _("格式不正确")))
        label = labels.get(loc[-1], loc[-1]) if loc else ""
        errors.setdefault(name or "__all__", []).append(message)
        texts.append(f"{label}：{message}" if label else message)
    return PayloadInvalid(errors, "；".join(texts))


def install_error_handlers(api) -> None:
    """Chinese JSON bodies for every error the API answers."""

    def respond(request, status, detail, errors=None, headers=None):
        response = api.create_response(
            request, {"detail": detail, "errors": errors or {}}, status=status
        )
        for key, value in (headers or {}).items():
            response[key] = value
        return response

    @api.exception_handler(PayloadInvalid)
    def _payload_invalid(request, exc):
        return respond(request, 422, exc.detail, exc.errors)

    @api.exception_handler(ValidationError)
    def _schema_invalid(request, exc):
        invalid = schema_errors(request, exc)
        return respond(request, 422, invalid.detail, invalid.errors)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return respond(
            request,
            401,
            _("未提供有效的访问令牌，或令牌已过期，请重新获取"),
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        # django-ninja's own HttpErrors carry English text; the only one we meet is the body.
        if exc.status_code == 400:
            return respond(request, 400, _("请求体不是有效的 JSON"))
        return respond(request, exc.status_code, str(exc))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return respond(request, 404, _("未找到该记录"))

    @api.exception_handler(PermissionDenied)
    def _forbidden(request, exc):
        return respond(request, 403, str(exc) or _("您无权执行此操作"))
