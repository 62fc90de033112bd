"""Weekly digests, what: the posts each person gets (new since their last digest, the week's
most shared, featured stories) and their own numbers, built for a whole batch with a fixed
number of queries (``digests_build``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from ...feed import story_featured
from ...models import (
    Ambassador,
    DeliveryStatus,
    DigestDelivery,
    Item,
)
from ...rendering import markdown_to_html
from ...reporting.activity import Scope, activity
from ...reporting.periods import Period, month_so_far, report_tz
from ...reporting.sources import counted_shares
from .numbers_sql import item_share_counts, share_histogram

FIRST_DIGEST_LOOKBACK = timedelta(days=7)
# Someone back after a long pause gets the last two weeks, not months of old posts.
MAX_LOOKBACK = timedelta(days=14)
MAX_ITEMS = 10
MOST_SHARED = 3
MOST_SHARED_CANDIDATES = 20


@dataclass(frozen=True)
class DigestEntry:
    title: str
    url: str
    summary: str
    is_urgent: bool
    is_featured: bool
    shares: int = 0


@dataclass
class Digest:
    ambassador: Ambassador
    items: list[DigestEntry] = field(default_factory=list)
    most_shared: list[DigestEntry] = field(default_factory=list)
    shares: int = 0
    clicks: int = 0
    rank: int | None = None

    @property
    def has_news(self) -> bool:
        return bool(self.items)


def item_url(slug: str) -> str:
    """The portal's item page: sharing is one click there, and opening it logs nothing
    (mail scanners open every link in an e-mail)."""
    return settings.SITE_URL + reverse("ambassadors:item", args=[slug])


@lru_cache(maxsize=1024)
def item_summary(body: str, *, words: int = 30) -> str:
    """Plain text for e-mails: the sanitised Markdown with its tags removed, cut short.
    Cached by the text itself, so an edited post is never summarised from old text."""
    text = " ".join(strip_tags(markdown_to_html(body)).split())
    return Truncator(text).words(words)


def item_entry(item: Item, *, shares: int = 0, words: int = 30) -> DigestEntry:
    return DigestEntry(
        title=item.title,
        url=item_url(item.slug),
        summary=item_summary(item.body, words=words),
        is_urgent=item.is_urgent,
        is_featured=getattr(item, "featured", item.is_featured),
        shares=shares,
    )


def _since(last: datetime | None, now: datetime) -> datetime:
    if last is None:
        return now - FIRST_DIGEST_LOOKBACK
    return max(last, now - MAX_LOOKBACK)


def _distinct_shares(*, start: datetime, end: datetime) -> QuerySet:
    """Shares as the reports count them: one per (ambassador, item, network, local day),
    undone ones left out, so the digest's numbers match "my impact" and the leaderboard."""
    period = counted_shares().filter(created_at__gte=start, created_at__lt=end)
    return (
        period.annotate(day=TruncDate("created_at", tzinfo=report_tz()))
        .values("ambassador_id", "item_id", "network", "day")
        .distinct()
    )


def _most_shared(*, now: datetime) -> list[tuple[int, int]]:
    """(item id, shares) of the week's most shared live items, best first."""
    week = _distinct_shares(start=now - timedelta(days=7), end=now).filter(
        item__in=Item.objects.live(now)
    )
    return item_share_counts(shares=week, limit=MOST_SHARED_CANDIDATES)


def _this_month(now: datetime) -> Period:
    return month_so_far(today=timezone.localdate(now, report_tz()))


def _own_numbers(*, ids: list[int], now: datetime) -> tuple[Counter, Counter]:
    """Shares and clicks this month (the organisation's time zone) per ambassador of the
    batch, counted like the reports (rollups for past days): one query for the batch."""
    shares: Counter = Counter()
    clicks: Counter = Counter()
    for row in activity(
        dimension="ambassador",
        period=_this_month(now),
        scope=Scope(ambassador_ids=tuple(ids)),
    ):
        shares[row["k0"]] += row["shares"]
        clicks[row["k0"]] += row["clicks"]
    return shares, clicks


@dataclass(frozen=True)
class RunNumbers:
    """What is the same for everyone in a run: the week's most shared items and how many
    people have how many shares this month (for places). The dispatcher works them out once
    and hands them to every batch, instead of each batch reading every share of the month.
    Plain lists, so they travel as task arguments."""

    most_shared: list[tuple[int, int]]
    histogram: dict[int, int]

    @classmethod
    def compute(cls, *, now: datetime) -> RunNumbers:
        return cls(
            most_shared=_most_shared(now=now), histogram=share_histogram(month=_this_month(now))
        )

    def to_json(self) -> dict:
        return {
            "most_shared": [list(pair) for pair in self.most_shared],
            "histogram": [[n, count] for n, count in sorted(self.histogram.items())],
        }

    @classmethod
    def from_json(cls, data: dict) -> RunNumbers:
        return cls(
            most_shared=[(int(item), int(n)) for item, n in data["most_shared"]],
            histogram={int(n): int(count) for n, count in data["histogram"]},
        )


def _rank(shares: int, histogram: dict[int, int]) -> int | None:
    if shares <= 0:
        return None
    return 1 + sum(count for n, count in histogram.items() if n > shares)


def _pairs(queryset: Iterable[tuple[int, int]]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = defaultdict(set)
    for left, right in queryset:
        result[left].add(right)
    return result


class _Candidates:
    """The live items any ambassador of the batch could get, with their topics and audience,
    loaded once per batch (3 queries) and matched per ambassador in Python."""

    def __init__(self, *, now: datetime, since: datetime, extra_ids: Sequence[int]):
        extra = list(extra_ids)
        # The other language versions of the most shared items, so a reader gets the most
        # shared story in their own language where it exists.
        originals = Item.objects.filter(pk__in=extra, translation_of__isnull=False).values(
            "translation_of_id"
        )
        queryset = (
            Item.objects.live(now)
            .filter(
                Q(publish_at__gt=since)
                | Q(pk__in=extra)
                | Q(translation_of_id__in=extra)
                | Q(pk__in=originals)
                | Q(translation_of_id__in=originals)
            )
            .only(
                "pk",
                "slug",
                "title",
                "body",
                "language",
                "translation_of_id",
                "is_urgent",
                "is_featured",
                "publish_at",
            )  # fmt: skip
            .annotate(featured=story_featured())  # a translation keeps its story's "featured"
            .order_by("-is_urgent", "-featured", "-publish_at", "pk")
        )
        self.items: list[Item] = list(queryset)
        pks = [item.pk for item in self.items]
        self.topics = _pairs(
            Item.topics.through.objects.filter(item_id__in=pks).values_list("item_id", "topic_id")
        )
        self.audience = _pairs(
            Item.audience.through.objects.filter(item_id__in=pks).values_list(
                "item_id", "department_id"
            )
        )
        self.by_pk = {item.pk: item for item in self.items}
        self._entries: dict[tuple[int, int], DigestEntry] = {}

    def visible(self, item: Item, ambassador: Ambassador) -> bool:
        """Python twin of ``Item.objects.for_ambassador``: audience (empty = everyone) and
        content languages."""
        if item.language not in ambassador.languages:
            return False
        audience = self.audience.get(item.pk)
        return not audience or ambassador.department_id in audience

    def entry(self, item: Item, shares: int = 0) -> DigestEntry:
        key = (item.pk, shares)
        if key not in self._entries:
            self._entries[key] = item_entry(item, shares=shares)
        return self._entries[key]


def _story(item: Item) -> int:
    return item.translation_of_id or item.pk


def _pick(candidates: Sequence[Item], ambassador: Ambassador) -> dict[int, Item]:
    """One version per story: the nl and en versions of one story are one post to a
    bilingual reader, shown in their own language when it exists."""
    picked: dict[int, Item] = {}
    for item in candidates:
        story = _story(item)
        current = picked.get(story)
        if current is None or (
            item.language == ambassador.language and current.language != ambassador.language
        ):
            picked[story] = item
    return picked


def _order(item: Item) -> tuple[bool, bool, float, int]:
    featured = getattr(item, "featured", item.is_featured)
    published = item.publish_at.timestamp()  # type: ignore[union-attr]  # live items have publish_at
    return (not item.is_urgent, not featured, -published, item.pk)


def _select(
    candidates: _Candidates,
    ambassador: Ambassador,
    since: datetime,
    topics: frozenset[int],
    top_shared: Sequence[tuple[int, int]],
) -> tuple[list[DigestEntry], list[DigestEntry]]:
    """New posts (at most ten, urgent and featured first) and the week's most shared."""
    new = [
        item
        for item in candidates.items
        if item.publish_at > since  # type: ignore[operator]  # live items have publish_at
        and candidates.visible(item, ambassador)
        and (not topics or candidates.topics.get(item.pk, set()) & topics)
    ]
    picked = _pick(new, ambassador)
    chosen = sorted(picked.values(), key=_order)[:MAX_ITEMS]
    # Most shared per story (all language versions together), shown in the version the
    # reader would get in their feed: their own language where it exists. Only live items
    # are candidates, so an item that has ended is never listed.
    story_shares: dict[int, int] = {}
    for item_id, n in top_shared:
        item = candidates.by_pk.get(item_id)
        if item is not None:
            story_shares[_story(item)] = story_shares.get(_story(item), 0) + n
    versions = _pick(
        [
            item
            for item in candidates.items
            if _story(item) in story_shares and candidates.visible(item, ambassador)
        ],
        ambassador,
    )
    popular: list[DigestEntry] = []
    ranked = sorted(story_shares.items(), key=lambda pair: (-pair[1], pair[0]))
    for story, n in ranked:
        if story in picked or story not in versions:
            continue
        popular.append(candidates.entry(versions[story], shares=n))
        if len(popular) >= MOST_SHARED:
            break
    return [candidates.entry(item) for item in chosen], popular


def digests_build(
    *,
    ambassadors: Sequence[Ambassador],
    now: datetime,
    numbers: RunNumbers | None = None,
    resend_period: str | None = None,
) -> list[Digest]:
    """Everyone's digest for one batch with a fixed number of queries (about ten, two fewer
    when the run's ``numbers`` are given), however many ambassadors the batch holds. For a
    resend of ``resend_period``, "new since the last digest" looks past that period's own row."""
    if not ambassadors:
        return []
    numbers = numbers or RunNumbers.compute(now=now)
    ids = [ambassador.pk for ambassador in ambassadors]
    followed = _pairs(
        Ambassador.topics.through.objects.filter(ambassador_id__in=ids).values_list(
            "ambassador_id", "topic_id"
        )
    )
    previous = DigestDelivery.objects.filter(ambassador_id__in=ids).exclude(
        status=DeliveryStatus.FAILED
    )
    if resend_period:
        previous = previous.exclude(period=resend_period)
    last = dict(
        previous.values("ambassador_id")
        .annotate(last=Max("claimed_at"))
        .values_list("ambassador_id", "last")
    )
    since = {pk: _since(last.get(pk), now) for pk in ids}
    top_shared = numbers.most_shared
    candidates = _Candidates(
        now=now, since=min(since.values()), extra_ids=[pk for pk, _n in top_shared]
    )
    shares, clicks = _own_numbers(ids=ids, now=now)
    histogram = numbers.histogram

    digests = []
    # The selection depends on these alone, and most people in a batch share them.
    selections: dict[tuple, tuple[list[DigestEntry], list[DigestEntry]]] = {}
    for ambassador in ambassadors:
        topics = frozenset(followed.get(ambassador.pk, ()))
        key = (
            since[ambassador.pk],
            ambassador.department_id,
            ambassador.content_languages,
            ambassador.language,
            topics,
        )
        if key not in selections:
            selections[key] = _select(
                candidates, ambassador, since[ambassador.pk], topics, top_shared
            )
        items, most_shared = selections[key]
        own_shares = shares.get(ambassador.pk, 0)
        digests.append(
            Digest(
                ambassador=ambassador,
                items=items,
                most_shared=most_shared,
                shares=own_shares,
                clicks=clicks.get(ambassador.pk, 0),
                rank=_rank(own_shares, histogram),
            )
        )
    return digests


def digest_preview(*, ambassador: Ambassador, now: datetime | None = None) -> Digest:
    """What this person would get if their digest went out now (nothing is recorded)."""
    return digests_build(ambassadors=[ambassador], now=now or timezone.now())[0]
