from django.utils.text import slugify

from .models import Item


def unique_item_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the title, made unique with -2, -3… Frozen once the item is published."""
    base = (slugify(title) or "item")[:70].strip("-") or "item"
    taken = set(
        Item.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
