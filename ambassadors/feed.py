"""What an ambassador sees: the feed selector and the items they may open and share."""

from __future__ import annotations

from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    prefetch_related_objects,
)

from .models import Ambassador, Item, Share, Topic
from .reporting.drilldowns import colleagues_who_shared

PAGE_SIZE = 20


def items_visible_to(*, ambassador: Ambassador) -> QuerySet[Item]:
    """Live items in the ambassador's audience, in any language: what they may open and
    share (the feed narrows this to their content languages)."""
    audience = Item.audience.through.objects.filter(item=OuterRef("pk"))
    # Without a department this matches no row (audience rows always have one).
    own = audience.filter(department_id=ambassador.department_id)  # type: ignore[misc]
    return Item.objects.live().filter(~Exists(audience) | Exists(own))


def _search(queryset: QuerySet[Item], query: str) -> QuerySet[Item]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector
        from django.db.models.expressions import CombinedExpression

        def matches(config: str) -> tuple[CombinedExpression, SearchQuery]:
            vector = SearchVector("title", weight="A", config=config) + SearchVector(
                "body", weight="B", config=config
            )
            return vector, SearchQuery(query, config=config, search_type="websearch")

        en_vector, en_query = matches("english")
        nl_vector, nl_query = matches("dutch")
        simple_vector, simple_query = matches("simple")
        return queryset.annotate(
            search_en=en_vector, search_nl=nl_vector, search_simple=simple_vector
        ).filter(
            Q(language="en", search_en=en_query)
            | Q(language="nl", search_nl=nl_query)
            | Q(search_simple=simple_query)
        )
    words = query.split()[:8]
    for word in words:
        queryset = queryset.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return queryset


def _preferred_version_elsewhere(language: str) -> Exists:
    """A live version of the same story in ``language`` while this item is in another
    one: its original, a translation of it, or a sibling translation. Used as a single
    top-level NOT EXISTS so PostgreSQL runs it as an anti-join with index lookups per
    row (an OR around it would make it hash every item first)."""
    return Exists(
        Item.objects.live()
        .filter(language=language)
        .exclude(language=OuterRef("language"))
        .filter(
            Q(pk=OuterRef("translation_of_id"))
            | Q(translation_of_id=OuterRef("pk"))
            | Q(translation_of_id=OuterRef("translation_of_id"))
        )
    )


def story_featured() -> Exists:
    """Whether any version of the item's story (itself, its original, a translation of it or
    a sibling translation) is featured: featuring is a decision about the story, so a
    translation made before or after it keeps it."""
    return Exists(
        Item.objects.filter(is_featured=True).filter(
            Q(pk=OuterRef("pk"))
            | Q(pk=OuterRef("translation_of_id"))
            | Q(translation_of_id=OuterRef("pk"))
            | Q(translation_of_id=OuterRef("translation_of_id"))
        )
    )


def item_is_featured(item: Item) -> bool:
    """``story_featured`` for one item (the item page)."""
    if item.is_featured:
        return True
    return Item.objects.filter(pk=item.pk).filter(story_featured()).exists()


def _follows(ambassador: Ambassador) -> Exists:
    return Exists(
        Item.topics.through.objects.filter(item=OuterRef("pk"), topic__followers=ambassador)
    )


def items_for_feed(
    *,
    ambassador: Ambassador,
    topic: str | None = None,
    language: str | None = None,
    network: str | None = None,
    query: str | None = None,
) -> QuerySet[Item]:
    """Live items for the ambassador's audience and content languages: urgent, then
    featured, then topics they follow, then newest. A bilingual ambassador sees one
    version of a translated story, in their own language where there is one.

    Everything is decided in one SQL query (EXISTS subqueries, no per-item work), and
    topics, share texts and the ambassador's own shares are prefetched, so the number
    of queries does not grow with the number of items."""
    items: QuerySet[Item] = Item.objects.live().for_ambassador(ambassador)
    if language:
        items = items.filter(language=language)
    elif len(ambassador.languages) > 1:
        preferred = ambassador.language if ambassador.language in ambassador.languages else "en"
        items = items.filter(~_preferred_version_elsewhere(preferred))
    if topic:
        items = items.filter(topics__slug=topic)
    # ``network`` narrows nothing: every live item can be shared on every network (a text
    # written for it is a suggestion, not a condition). The feed's cards then lead to that
    # network's share option.
    if query and query.strip():
        items = _search(items, query.strip()[:200])
    mine = Share.objects.filter(ambassador=ambassador, item=OuterRef("pk"), undone_at__isnull=True)
    follows = _follows(ambassador) if ambassador.pk else Value(False)
    return (
        items.annotate(shared_by_me=Exists(mine), featured=story_featured())
        .order_by("-is_urgent", "-featured", follows.desc(), "-publish_at", "-pk")
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.by_label()))
    )


def feed_page(
    items: QuerySet[Item], *, ambassador: Ambassador, page: int, size: int = PAGE_SIZE
) -> tuple[list[Item], bool]:
    """One page of ``items_for_feed`` and whether there is another.

    Sorting every live item by (urgent, featured, followed, newest) costs O(items). We
    fetch three tiers instead (urgent or featured; followed; the rest), each newest
    first with a LIMIT, so the database walks the publish_at index and stops early:
    the cost follows the page, not the number of items. Always three queries (plus the
    prefetch), and no COUNT: one extra row says whether there is a next page."""
    page = max(1, page)
    start = (page - 1) * size
    need = start + size + 1
    items = items.prefetch_related(None)  # prefetched once, below, for the page only
    plain = Q(is_urgent=False, featured=False)
    tiers = [
        items.filter(Q(is_urgent=True) | Q(featured=True)),
        items.filter(plain, _follows(ambassador)).order_by("-publish_at", "-pk"),
        items.filter(plain, ~_follows(ambassador)).order_by("-publish_at", "-pk"),
    ]
    rows: list[Item] = []
    for tier in tiers:
        rows.extend(tier[:need])
    rows = rows[start : start + size + 1]
    page_rows = rows[:size]
    prefetch_related_objects(page_rows, Prefetch("topics", queryset=Topic.objects.by_label()))
    colleagues = colleagues_who_shared(
        item_ids=[item.pk for item in page_rows], exclude_ambassador_id=ambassador.pk
    )
    for item in page_rows:
        item.colleagues_shared = colleagues.get(item.pk, 0)
    return page_rows, len(rows) > size
