"""Form styling shared by every app (Bootstrap classes, Chinese required-field message)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class StyledFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            field.error_messages["required"] = _("此项为必填项")
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


def form_errors_text(form) -> str:
    """Every error with its field's label, for messages and the API: "身份证号：校验位错误"."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            parts.append(f"{label}：{error}" if label else str(error))
    return "；".join(parts)


def add_service_errors(form, exc) -> None:
    """Show a service's ``ValidationError`` on the form: each field's messages on the field
    (fields the form does not have go to the top), a plain error at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
