"""Weekly digests: who is due, what each person gets, and sending a batch exactly once.

Flow (DESIGN.md, Flow 5): beat → ``digest_dispatch`` (every 15 minutes) finds ambassadors whose
weekday and send hour have come in their own time zone and who have no delivery for that ISO
week, and fans them out in batches. ``digest_batch_send`` builds the batch's content with a
fixed number of queries, claims the deliveries in one insert, sends over one SMTP connection
and marks them in one update.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache, reduce
from operator import or_

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator

from .feed import story_featured
from .mailing import (
    EmailRenderer,
    claim_token,
    contact,
    deliveries_claim,
    deliveries_record,
    messages_send,
    outcome_raise,
    run_finish_if_done,
    with_contact,
)
from .models import (
    Ambassador,
    ContentPause,
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    Item,
    SiteSettings,
    User,
)
from .rendering import markdown_to_html
from .reports import (
    Period,
    Scope,
    activity,
    activity_sql,
    counted_shares,
    month_so_far,
    report_tz,
)
from .shutdown import SendingInterrupted
from .unsubscribe import unsubscribe_url

FIRST_DIGEST_LOOKBACK = timedelta(days=7)
# Someone back after a long pause gets the last two weeks, not months of old posts.
MAX_LOOKBACK = timedelta(days=14)
MAX_ITEMS = 10
MOST_SHARED = 3
MOST_SHARED_CANDIDATES = 20
STALE_RUN = timedelta(days=1)

Enqueue = Callable[[int, str, list[int], dict], None]


# Time ---------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def zone(name: str) -> zoneinfo.ZoneInfo:
    """A stored name that is no longer valid falls back to the site's zone, not a crash."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def iso_week(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_period(*, moment: datetime, time_zone: str) -> str:
    """The ISO week in the ambassador's own time zone: Sunday 23:30 in Amsterdam is
    already Monday (a new week) in Tokyo."""
    return iso_week(moment.astimezone(zone(time_zone)).date())


def claim_timeout() -> timedelta:
    return timedelta(minutes=settings.DELIVERY_CLAIM_TIMEOUT_MINUTES)


# Who is due ---------------------------------------------------------------------------------


def digest_recipients() -> QuerySet[Ambassador]:
    """Active ambassadors who want the digest and have an address that does not bounce."""
    return Ambassador.objects.mailable().filter(digest_enabled=True)


def _last_digest() -> Subquery:
    """A failed digest does not count as received: its posts come again next time."""
    return Subquery(
        DigestDelivery.objects.filter(ambassador=OuterRef("pk"))
        .exclude(status=DeliveryStatus.FAILED)
        .order_by("-claimed_at")
        .values("claimed_at")[:1]
    )


def digest_due(*, now: datetime, site: SiteSettings) -> list[tuple[str, QuerySet[Ambassador]]]:
    """(period, ambassadors) groups whose digest moment has come: today is their weekday and
    the send hour has passed, in their own time zone, and they have nothing for that week yet.

    The window runs to midnight, so a tick missed while beat or the broker was down is caught
    up by the next one. People for whom no post has gone live since their last digest are
    left out here already (one MAX query), so quiet weeks cost almost nothing.
    """
    if not site.digests_enabled or _paused(site):
        return []
    newest = Item.objects.live(now).aggregate(newest=Max("publish_at"))["newest"]
    if newest is None:
        return []
    maybe_new = []
    if newest > now - FIRST_DIGEST_LOOKBACK:
        maybe_new.append(Q(last_digest__isnull=True))
    if newest > now - MAX_LOOKBACK:
        maybe_new.append(Q(last_digest__lt=newest))
    if not maybe_new:
        return []
    zones_by_day: dict[tuple[date, tuple[int, ...]], list[str]] = defaultdict(list)
    names = digest_recipients().order_by().values_list("time_zone", flat=True).distinct()
    pauses = _recent_pauses(now=now)
    for name in names:
        local = now.astimezone(zone(name))
        if local.hour >= site.digest_send_hour:
            missed = _weekdays_missed_in_pause(
                day=local.date(), tz=zone(name), send_hour=site.digest_send_hour, pauses=pauses
            )
            zones_by_day[(local.date(), missed)].append(name)
    candidates = (
        digest_recipients().annotate(last_digest=_last_digest()).filter(reduce(or_, maybe_new))
    )
    groups = []
    for (day, missed), zone_names in sorted(zones_by_day.items()):
        period = iso_week(day)
        has_delivery = DigestDelivery.objects.filter(ambassador=OuterRef("pk"), period=period)
        queryset = candidates.filter(
            time_zone__in=zone_names, digest_weekday__in=[day.isoweekday(), *missed]
        ).exclude(Exists(has_delivery))
        groups.append((period, queryset))
    return groups


def _recent_pauses(*, now: datetime) -> list[tuple[datetime, datetime]]:
    """Content pauses (crisis mode) that ended in the last week: (started_at, resumed_at)."""
    return list(
        ContentPause.objects.filter(
            resumed_at__gt=now - timedelta(days=7), resumed_at__lte=now
        ).values_list("started_at", "resumed_at")
    )


def _weekdays_missed_in_pause(
    *, day: date, tz: zoneinfo.ZoneInfo, send_hour: int, pauses: list[tuple[datetime, datetime]]
) -> tuple[int, ...]:
    """Earlier weekdays of ``day``'s ISO week whose whole sending window (send hour to
    midnight, local) fell inside a content pause that has ended: those people get this
    week's e-mail now instead of waiting a week. A pause that ended before midnight needs
    nothing here: that day's window is still open."""
    missed = []
    for weekday in range(1, day.isoweekday()):
        local_day = day - timedelta(days=day.isoweekday() - weekday)
        start = datetime.combine(local_day, time(send_hour), tzinfo=tz)
        end = datetime.combine(local_day + timedelta(days=1), time(0), tzinfo=tz)
        if any(started <= start and resumed >= end for started, resumed in pauses):
            missed.append(weekday)
    return tuple(missed)


def _site_with_pause() -> SiteSettings:
    """The site settings and whether a content pause is on (crisis mode), in one query."""
    on = ContentPause.objects.filter(is_on=True)
    site = SiteSettings.objects.annotate(paused=Exists(on)).filter(pk=1).first()
    return site or SiteSettings.load()


def _paused(site: SiteSettings) -> bool:
    """While a content pause is on, weekly e-mails wait: the dispatcher queues nobody and a
    batch queued just before the pause sends nothing (its people stay due, so the first
    tick after *Resume* picks them up while their day lasts)."""
    paused = getattr(site, "paused", None)
    if paused is None:
        paused = ContentPause.objects.filter(is_on=True).exists()
    return paused


def digest_run_in_progress(*, now: datetime) -> bool:
    """One run at a time: while a run's batches are still queued, a new tick would queue the
    same people again. Claims would stop duplicates, but not the wasted work."""
    return DigestRun.objects.filter(
        finished_at__isnull=True, started_at__gte=now - claim_timeout()
    ).exists()


def digest_runs_close_stale(*, now: datetime) -> int:
    """A run whose task messages were lost (a flushed broker) would show as running forever."""
    stale = DigestRun.objects.filter(finished_at__isnull=True, started_at__lt=now - STALE_RUN)
    return stale.update(finished_at=now)


def id_batches(queryset: QuerySet, size: int) -> Iterator[list[int]]:
    """Primary keys a page at a time (keyset pagination: ``pk > last``), so memory stays flat
    and no cursor stays open while batches are handed over; one query per batch."""
    last = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]
        )
        if not batch:
            return
        yield batch
        if len(batch) < size:
            return
        last = batch[-1]


def digest_dispatch(
    *, enqueue: Enqueue, now: datetime | None = None, batch_size: int | None = None
) -> DigestRun | None:
    """Fan the due ambassadors out in batches of ids; returns the run, or None without work.

    Ids are read and handed over a batch at a time, so memory does not grow with the number
    of ambassadors. ``planned`` is written at the end; batches that finish earlier cannot
    close the run because ``run_finish_if_done`` needs ``planned > 0``.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.DIGEST_BATCH_SIZE
    if digest_run_in_progress(now=now):
        return None
    site = _site_with_pause()
    run: DigestRun | None = None
    numbers: dict = {}
    planned = 0
    periods: list[str] = []
    try:
        for period, queryset in digest_due(now=now, site=site):
            for batch in id_batches(queryset, batch_size):
                if run is None:
                    run = DigestRun.objects.create(started_at=now)
                    numbers = RunNumbers.compute(now=now).to_json()
                if period not in periods:
                    periods.append(period)
                enqueue(run.pk, period, batch, numbers)
                planned += len(batch)
    finally:
        # Also when handing over failed halfway (broker gone): the run shows what was queued.
        if run is not None:
            DigestRun.objects.filter(pk=run.pk).update(
                planned=planned, periods=", ".join(periods)[:40]
            )
            run_finish_if_done(run_id=run.pk)
    if run is None:
        return None
    run.refresh_from_db()
    return run


# What each person gets ----------------------------------------------------------------------


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


def _grouped(queryset: QuerySet, *, select: str, tail: str = "") -> list[tuple]:
    """Group the rows of ``queryset`` (a DISTINCT subquery) in SQL; the ORM cannot count
    over a DISTINCT without one query per group."""
    inner, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM ({inner}) shares {tail}", params)  # noqa: S608
        return cursor.fetchall()


def _most_shared(*, now: datetime) -> list[tuple[int, int]]:
    """(item id, shares) of the week's most shared live items, best first."""
    week = _distinct_shares(start=now - timedelta(days=7), end=now).filter(
        item__in=Item.objects.live(now)
    )
    rows = _grouped(
        week,
        select="item_id, COUNT(*) AS n",
        tail=f"GROUP BY item_id ORDER BY n DESC, item_id LIMIT {MOST_SHARED_CANDIDATES:d}",
    )
    return [(int(item_id), int(n)) for item_id, n in rows]


def _share_histogram(*, month: Period) -> dict[int, int]:
    """{shares this month: how many people in the programme have that many}. Place = 1 +
    people with more (ties share a place, like the leaderboard's RANK()). One small grouped
    query per run (rollups for past days, raw shares for today) instead of one rank query
    per ambassador."""
    sql, params, _keys = activity_sql(dimension="ambassador", period=month, sources=("shares",))
    qn = connection.ops.quote_name
    ambassadors = qn(Ambassador._meta.db_table)
    users = qn(User._meta.db_table)
    sql = (
        f"SELECT t.shares, COUNT(*) FROM ({sql}) t "  # noqa: S608 - names from code
        f"JOIN {ambassadors} a ON a.{qn('id')} = t.k0 "
        f"JOIN {users} u ON u.{qn('id')} = a.{qn('user_id')} "
        f"WHERE t.shares > 0 AND a.{qn('opted_out_at')} IS NULL AND u.{qn('is_active')} = %s "
        "GROUP BY t.shares"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, True])
        return {int(n): int(count) for n, count in cursor.fetchall()}


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
            most_shared=_most_shared(now=now), histogram=_share_histogram(month=_this_month(now))
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


def _pairs(queryset) -> dict[int, set[int]]:
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
        self._entries: dict[int, DigestEntry] = {}

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


def _order(item: Item):
    featured = getattr(item, "featured", item.is_featured)
    return (not item.is_urgent, not featured, -item.publish_at.timestamp(), item.pk)


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
        if item.publish_at > since
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


def _numbers(language: str, shares: int, clicks: int, rank: int | None) -> tuple[str, str]:
    """Someone's own numbers as (text, html)."""
    context = {"shares": shares, "clicks": clicks, "rank": rank}
    with translation.override(language):
        return (
            render_to_string("email/digest/_numbers.txt", context).strip(),
            render_to_string("email/digest/_numbers.html", context),
        )


class DigestRenderer:
    """Renders the digests of one batch: each distinct set of posts once per language, each
    person's own numbers once per distinct value, then names and links filled in."""

    def __init__(self):
        self.emails = EmailRenderer("digest")
        self._numbers: dict[tuple, tuple[str, str]] = {}
        self.preferences_url = settings.SITE_URL + reverse("ambassadors:preferences")

    def numbers(self, digest: Digest, language: str) -> tuple[str, str]:
        key = (language, digest.shares, digest.clicks, digest.rank)
        if key not in self._numbers:
            self._numbers[key] = _numbers(*key)
        return self._numbers[key]

    def message(self, digest: Digest, test_to: str | None = None) -> EmailMultiAlternatives:
        """A test copy for comms gets no List-Unsubscribe header and no real unsubscribe link:
        clicking it must not unsubscribe the person whose digest it shows."""
        ambassador = digest.ambassador
        language = ambassador.language
        preferences = self.preferences_url
        headers = {"Auto-Submitted": "auto-generated"}
        if test_to:
            unsubscribe = preferences
        else:
            unsubscribe = unsubscribe_url(ambassador_id=ambassador.pk)
            headers |= {
                "List-Unsubscribe": f"<{self.emails.mark('unsubscribe_url')}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Precedence": "bulk",
            }
        email, name = contact(ambassador)
        numbers_text, numbers_html = self.numbers(digest, language)
        context = {
            "digest": digest,
            "portal_url": settings.SITE_URL + "/",
            "preferences_url": preferences,
            "company_name": settings.COMPANY_NAME,
            "is_test": bool(test_to),
        }
        return self.emails.render(
            shape=(bool(test_to), tuple(digest.items), tuple(digest.most_shared)),
            language=language,
            context=context,
            fill={
                "name": (name, escape(name)),
                "unsubscribe_url": (unsubscribe, escape(unsubscribe)),
                "numbers": (numbers_text, numbers_html),
            },
            to=[test_to or email],
            headers=headers,
        )


def digest_message(
    *, digest: Digest, test_to: str | None = None, renderer: DigestRenderer | None = None
) -> EmailMultiAlternatives:
    """The digest as an e-mail in the reader's language (a batch passes its shared renderer)."""
    return (renderer or DigestRenderer()).message(digest, test_to=test_to)


def digest_send_test(*, ambassador: Ambassador, to: str) -> bool:
    """Comms send themselves the digest this person would get. No delivery is recorded."""
    message = digest_message(digest=digest_preview(ambassador=ambassador), test_to=to)
    return bool(get_connection().send_messages([message]))


# Sending a batch ----------------------------------------------------------------------------


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    released: int = 0
    skipped: int = 0


def digest_batch_send(
    *,
    run_id: int | None,
    period: str,
    ambassador_ids: Sequence[int],
    numbers: dict | None = None,
    attempt: int = 1,
    final_attempt: bool = False,
    now: datetime | None = None,
) -> BatchResult:
    """Claim, send, mark, for one batch. Safe to run twice, or twice at once.

    Nobody with nothing new is claimed (no e-mail, no row). The claim is one insert whose
    conflicts are ignored; only rows carrying this execution's token are sent. A temporary
    SMTP error releases what was not handed over and raises ``TransientMailError`` so the task
    retries with back-off; on the final attempt those are recorded as failed instead.
    """
    now = now or timezone.now()
    ids = list(dict.fromkeys(ambassador_ids))
    site = _site_with_pause()
    existing = dict(
        DigestDelivery.objects.filter(period=period, ambassador_id__in=ids).values_list(
            "ambassador_id", "run_id"
        )
    )
    ambassadors: list[Ambassador] = []
    if site.digests_enabled and not _paused(site):
        ambassadors = [
            ambassador
            for ambassador in with_contact(digest_recipients().filter(pk__in=ids))
            if ambassador.pk not in existing
        ]
    run_numbers = RunNumbers.from_json(numbers) if numbers else None
    with_news = [
        digest
        for digest in digests_build(ambassadors=ambassadors, now=now, numbers=run_numbers)
        if digest.has_news
    ]
    token = claim_token()
    scope = {"period": period, "ambassador_id__in": ids}
    claimed = deliveries_claim(
        model=DigestDelivery,
        rows=[
            DigestDelivery(
                ambassador_id=digest.ambassador.pk,
                period=period,
                run_id=run_id,
                claim=token,
                claimed_at=now,
                attempts=attempt,
            )
            for digest in with_news
        ],
        token=token,
        scope=scope,
    )
    renderer = DigestRenderer()
    to_send = {d.ambassador.pk: d for d in with_news if d.ambassador.pk in claimed}
    outcome = messages_send(keys=list(to_send), build=lambda pk: renderer.message(to_send[pk]))
    news_ids = {digest.ambassador.pk for digest in with_news}
    skipped = 0
    if attempt == 1:
        # Rows this run made earlier (a redelivered message) were counted when made.
        skipped = sum(1 for pk in ids if pk not in news_ids and existing.get(pk, -1) != run_id)
    with transaction.atomic():
        recorded = deliveries_record(
            model=DigestDelivery,
            token=token,
            scope=scope,
            outcome=outcome,
            final_attempt=final_attempt,
        )
        if run_id is not None:
            DigestRun.objects.filter(pk=run_id).update(
                sent=F("sent") + recorded.sent,
                failed=F("failed") + recorded.failed,
                skipped=F("skipped") + skipped,
            )
            run_finish_if_done(run_id=run_id)
    result = BatchResult(
        claimed=len(claimed),
        sent=recorded.sent,
        failed=recorded.failed,
        released=recorded.released,
        skipped=skipped,
    )
    outcome_raise(outcome, final_attempt=final_attempt)
    return result


def digest_run_resend_unknown(*, run_id: int, by, now: datetime | None = None) -> int:
    """Comms' explicit choice to send again to the people of a run whose delivery is
    ``unknown`` (a worker died before recording whether the mail server took it). Some may get
    the week's e-mail twice; that is why it is never automatic.

    Their rows move from ``unknown`` to ``claimed`` under a new token in ONE update, so a
    second press (or two comms members at once) finds nobody left: each person is resent at
    most once per press. The run's history records who did it and for how many. The sending
    itself happens in ``digest_resend_claimed`` after commit. Returns how many were claimed.
    """
    from .models import DigestRunEvent
    from .tasks import digest_resend

    now = now or timezone.now()
    token = claim_token()
    with transaction.atomic():
        count = DigestDelivery.objects.filter(run_id=run_id, status=DeliveryStatus.UNKNOWN).update(
            status=DeliveryStatus.CLAIMED,
            claim=token,
            claimed_at=now,
            error="",
            attempts=F("attempts") + 1,
        )
        if count:
            DigestRun.objects.filter(pk=run_id).update(
                unknown=F("unknown") - count, finished_at=None
            )
            DigestRunEvent.objects.create(
                run_id=run_id,
                actor=by,
                at=now,
                action=DigestRunEvent.Action.RESEND_UNKNOWN,
                count=count,
            )
            transaction.on_commit(lambda: digest_resend.delay(run_id, str(token)))
    return count


def digest_resend_claimed(*, run_id: int, token: str, now: datetime | None = None) -> BatchResult:
    """Send the rows claimed by ``digest_run_resend_unknown``. Safe to run twice, or twice at
    once: the execution first swaps the claim token for its own in one update, so only one
    execution gets each row. A temporary SMTP error is final here (recorded as failed with
    the reason, shown to comms): a resend is a manual, one-off action. Someone with nothing
    to send any more loses the row (counted as "nothing new"), as in a normal run. A worker
    that is stopping puts the rows it did not send back under ``token`` and raises
    ``SendingInterrupted``: the requeued task sends exactly those."""
    now = now or timezone.now()
    mine = claim_token()
    original = uuid.UUID(str(token))
    taken = DigestDelivery.objects.filter(
        run_id=run_id, claim=token, status=DeliveryStatus.CLAIMED
    ).update(claim=mine)
    if not taken:
        return BatchResult()
    rows = dict(
        DigestDelivery.objects.filter(claim=mine, status=DeliveryStatus.CLAIMED).values_list(
            "ambassador_id", "period"
        )
    )
    renderer = DigestRenderer()
    sent = failed = skipped = 0
    for period in sorted(set(rows.values())):
        ids = [pk for pk, p in rows.items() if p == period]
        ambassadors = list(with_contact(digest_recipients().filter(pk__in=ids)))
        digests = {
            d.ambassador.pk: d
            for d in digests_build(ambassadors=ambassadors, now=now, resend_period=period)
            if d.has_news
        }
        scope = {"run_id": run_id, "period": period}
        outcome = messages_send(
            keys=list(digests), build=lambda pk, found=digests: renderer.message(found[pk])
        )
        with transaction.atomic():
            gone = (
                DigestDelivery.objects.filter(claim=mine, status=DeliveryStatus.CLAIMED, **scope)
                .exclude(ambassador_id__in=list(digests))
                .delete()[0]
            )
            if outcome.interrupted:
                # The worker is stopping: what was not handed over goes back under the token
                # the queued task carries, so its redelivery sends exactly those.
                DigestDelivery.objects.filter(
                    claim=mine, status=DeliveryStatus.CLAIMED, ambassador_id__in=outcome.pending
                ).update(claim=original)
                outcome.pending = []
            recorded = deliveries_record(
                model=DigestDelivery, token=mine, scope=scope, outcome=outcome, final_attempt=True
            )
            DigestRun.objects.filter(pk=run_id).update(
                sent=F("sent") + recorded.sent,
                failed=F("failed") + recorded.failed,
                skipped=F("skipped") + gone,
            )
            run_finish_if_done(run_id=run_id)
        sent, failed, skipped = sent + recorded.sent, failed + recorded.failed, skipped + gone
        if outcome.interrupted:
            DigestDelivery.objects.filter(claim=mine, status=DeliveryStatus.CLAIMED).update(
                claim=original
            )
            raise SendingInterrupted("resend paused: the worker is stopping")
    return BatchResult(claimed=taken, sent=sent, failed=failed, skipped=skipped)
