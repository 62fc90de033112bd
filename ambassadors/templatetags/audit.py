"""Showing audit values on studio pages."""

from django import template
from django.utils.text import Truncator

from ..audit import display

register = template.Library()


@register.filter
def audit_display(value) -> str:
    """An audit value as short plain text (long texts cut at 300 characters; the CSV has
    them in full)."""
    return Truncator(display(value)).chars(300)
