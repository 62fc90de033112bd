"""Who an item reaches: shared by the publish confirmation, urgent alerts and reports."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import Ambassador, ContentLanguages, Item


def ambassadors_for_item(*, item: Item) -> QuerySet[Ambassador]:
    """Active ambassadors in the item's audience (empty = everyone) who read its language."""
    audience = Item.audience.through.objects.filter(item_id=item.pk)
    in_audience = Exists(audience.filter(department_id=OuterRef("department_id")))
    reads_language = Q(content_languages=ContentLanguages.BOTH) | Q(content_languages=item.language)
    queryset = Ambassador.objects.active().filter(reads_language)
    if item.pk and audience.exists():
        queryset = queryset.filter(in_audience)
    return queryset


def urgent_alert_recipients(*, item: Item) -> QuerySet[Ambassador]:
    return ambassadors_for_item(item=item).filter(urgent_alerts=True)
