"""``{% pause_banner %}``: the content-pause banner on every studio page."""

from django import template

from ..crisis.services import pause_banner as banner_data

register = template.Library()


@register.inclusion_tag("studio/crisis/_pause_banner.html")
def pause_banner() -> dict:
    """Cached until the pause starts or ends, so studio pages do not pay a query for it."""
    return {"banner": banner_data()}
