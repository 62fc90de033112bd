from django import template
from django.utils.safestring import mark_safe

from ..rendering import markdown_to_html

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(markdown_to_html(text))  # noqa: S308 - sanitised by nh3
