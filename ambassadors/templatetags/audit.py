"""Showing audit values on studio pages."""

from typing import Any

from django import template
from django.utils.text import Truncator

from ..audit import display

register = template.Library()


@register.filter
def audit_display(value: Any, length: int | str = 300) -> str:
    """An audit value as short plain text, cut at ``length`` characters (default 300; the
    audit trail's list uses 120 so a row stays readable on a phone; the CSV has them in
    full)."""
    return Truncator(display(value)).chars(int(length))
