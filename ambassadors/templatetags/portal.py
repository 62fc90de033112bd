from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.safestring import mark_safe

from ..rendering import markdown_to_html

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(markdown_to_html(text))  # noqa: S308 - sanitised by nh3


@register.filter
def day_month(value: date | None) -> str:
    """A date as a day and a short month in the active language: "30 Nov", "30 nov"
    (DAY_MONTH_FORMAT in portal/formats/), in the current time zone."""
    if not value:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, get_format("DAY_MONTH_FORMAT"))


@register.filter
def short_datetime(value: date | None) -> str:
    """SHORT_DATETIME_FORMAT in the active language ("30 nov 2026, 23:30")."""
    if not value:
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, "SHORT_DATETIME_FORMAT")
