from django import template

register = template.Library()


@register.filter
def rule_display(value, definition):
    """A typed rule value as people read it (「12 个月」, 「≤3000 元 0.5%；…」)."""
    return definition.display(value)
