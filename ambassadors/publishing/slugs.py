from django.utils.text import slugify

from ..models import Crisis, Item


def unique_slug(
    title: str, *, model: type[Item] | type[Crisis], fallback: str, exclude_pk: int | None = None
) -> str:
    """A slug from the title (at most 70 characters, ``fallback`` when the title has no
    letters), made unique within ``model`` with -2, -3…"""
    base = (slugify(title) or fallback)[:70].strip("-") or fallback
    rows = model.objects.filter(slug__startswith=base)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    taken = set(rows.values_list("slug", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def unique_item_slug(title: str, *, exclude_pk: int | None = None) -> str:
    """A slug from the title, made unique with -2, -3… Frozen once the item is published."""
    return unique_slug(title, model=Item, fallback="item", exclude_pk=exclude_pk)
