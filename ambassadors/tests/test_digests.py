"""Weekly digests: selection, content, sending exactly once, retries, sweeps and task bodies."""

import re
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db.models import Exists, OuterRef

from ambassadors.mail.delivery import TransientMailError, deliveries_mark_unknown
from ambassadors.mail.digests.schedule import digest_dispatch, digest_period
from ambassadors.mail.digests.selection import MAX_ITEMS, RunNumbers, digest_preview, digests_build
from ambassadors.mail.digests.sending import digest_batch_send, digest_message
from ambassadors.models import (
    Ambassador,
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    Item,
    SiteSettings,
)
from ambassadors.tasks import digest_dispatch_task, digest_send_batch
from ambassadors.tests.factories import (
    AmbassadorFactory,
    ClickFactory,
    DepartmentFactory,
    ItemFactory,
    ShareFactory,
    TopicFactory,
    TrackedLinkFactory,
)

# Monday 23 November 2026 (ISO week 48), 08:00 in Amsterdam.
MONDAY_8_AMSTERDAM = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
NOW = MONDAY_8_AMSTERDAM  # the `now` fixture (tests/conftest.py) freezes time here
PERIOD = "2026-W48"


@pytest.fixture
def site(db):
    site = SiteSettings.load()
    site.digest_send_hour = 8
    site.digests_enabled = True
    site.save()
    return site


def make_ambassador(**kwargs) -> Ambassador:
    kwargs.setdefault("digest_weekday", 1)
    return AmbassadorFactory(**kwargs)


def live_item(now, *, age=timedelta(hours=1), **kwargs) -> Item:
    return ItemFactory(status=Item.Status.PUBLISHED, publish_at=now - age, **kwargs)


class Collector:
    """Stands in for the Celery fan-out: records (run_id, period, ids) batches."""

    def __init__(self, send=False):
        self.batches = []
        self.send = send

    def __call__(self, run_id, period, ids, numbers):
        self.batches.append((run_id, period, list(ids)))
        self.numbers = numbers
        if self.send:
            digest_batch_send(run_id=run_id, period=period, ambassador_ids=ids, numbers=numbers)

    @property
    def ids(self):
        return sorted(pk for _run, _period, ids in self.batches for pk in ids)


def titles(digest):
    return [entry.title for entry in digest.items]


# Period ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "Europe/Amsterdam", "2026-W49"),
        (datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "America/New_York", "2026-W48"),
        (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "Asia/Tokyo", "2026-W49"),
        (datetime(2026, 11, 29, 16, 0, tzinfo=UTC), "UTC", "2026-W48"),
        (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), "Europe/Amsterdam", "2026-W53"),
        (datetime(2026, 11, 23, 7, 0, tzinfo=UTC), "No/Such_Zone", "2026-W48"),
    ],
)
def test_period_is_the_iso_week_in_the_ambassadors_time_zone(moment, zone, expected):
    assert digest_period(moment=moment, time_zone=zone) == expected


# Who is due ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (datetime(2026, 11, 23, 6, 59, tzinfo=UTC), False),  # Monday 07:59 in Amsterdam
        (datetime(2026, 11, 23, 7, 0, tzinfo=UTC), True),  # Monday 08:00
        (datetime(2026, 11, 23, 22, 59, tzinfo=UTC), True),  # Monday 23:59: caught up
        (datetime(2026, 11, 23, 23, 0, tzinfo=UTC), False),  # Tuesday 00:00
        (datetime(2026, 11, 22, 7, 0, tzinfo=UTC), False),  # Sunday 08:00
    ],
)
def test_dispatch_picks_ambassadors_on_their_weekday_from_the_send_hour(site, moment, due):
    live_item(moment)
    ambassador = make_ambassador(time_zone="Europe/Amsterdam", digest_weekday=1)
    collector = Collector()

    run = digest_dispatch(enqueue=collector, now=moment)

    assert collector.ids == ([ambassador.pk] if due else [])
    assert DigestRun.objects.count() == (1 if due else 0)
    if due:
        assert run.planned == 1
        assert run.periods == PERIOD


def test_dispatch_follows_the_send_hour_comms_set(site):
    site.digest_send_hour = 10
    site.save()
    live_item(MONDAY_8_AMSTERDAM)
    ambassador = make_ambassador(time_zone="Europe/Amsterdam")
    collector = Collector()

    digest_dispatch(enqueue=collector, now=MONDAY_8_AMSTERDAM)
    assert collector.ids == []
    digest_dispatch(enqueue=collector, now=MONDAY_8_AMSTERDAM + timedelta(hours=2))
    assert collector.ids == [ambassador.pk]


def test_dispatch_uses_each_ambassadors_own_time_zone_and_week(site):
    moment = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Sunday 23:30 UTC
    live_item(moment)
    tokyo = make_ambassador(time_zone="Asia/Tokyo", digest_weekday=1)  # Mon 08:30 → W49
    make_ambassador(time_zone="Europe/Amsterdam", digest_weekday=1)  # Mon 00:30: too early
    new_york = make_ambassador(time_zone="America/New_York", digest_weekday=7)  # Sun 18:30
    make_ambassador(time_zone="America/New_York", digest_weekday=1)  # Sunday: not their day
    collector = Collector()

    digest_dispatch(enqueue=collector, now=moment)

    assert sorted((period, ids[0]) for _run, period, ids in collector.batches) == sorted(
        [("2026-W48", new_york.pk), ("2026-W49", tokyo.pk)]
    )


@pytest.mark.parametrize(
    "change",
    [
        "digest_off",
        "opted_out",
        "user_inactive",
        "no_email",
        "already_has_this_weeks",
        "site_digests_off",
    ],
)
def test_dispatch_leaves_out_people_who_should_get_nothing(site, now, change):
    live_item(now)
    ambassador = make_ambassador(time_zone="Europe/Amsterdam")
    if change == "digest_off":
        Ambassador.objects.filter(pk=ambassador.pk).update(digest_enabled=False)
    elif change == "opted_out":
        Ambassador.objects.filter(pk=ambassador.pk).update(opted_out_at=now)
    elif change == "user_inactive":
        ambassador.user.is_active = False
        ambassador.user.save()
    elif change == "no_email":
        ambassador.user.email = ""
        ambassador.user.save()
    elif change == "already_has_this_weeks":
        DigestDelivery.objects.create(
            ambassador=ambassador, period=PERIOD, status=DeliveryStatus.SENT, claimed_at=now
        )
    elif change == "site_digests_off":
        site.digests_enabled = False
        site.save()
    collector = Collector()

    assert digest_dispatch(enqueue=collector, now=now) is None
    assert collector.batches == []
    assert DigestRun.objects.count() == 0


def test_dispatch_skips_everyone_when_nothing_went_live_since_their_last_digest(site, now):
    live_item(now, age=timedelta(days=3))
    ambassador = make_ambassador(time_zone="Europe/Amsterdam")
    DigestDelivery.objects.create(
        ambassador=ambassador,
        period="2026-W47",
        status=DeliveryStatus.SENT,
        claimed_at=now - timedelta(days=2),
    )
    make_ambassador(time_zone="Europe/Amsterdam")  # first digest: 3-day-old post is new
    collector = Collector()

    digest_dispatch(enqueue=collector, now=now)

    assert ambassador.pk not in collector.ids
    assert len(collector.ids) == 1


def test_dispatch_fans_out_in_batches(site, now):
    live_item(now)
    people = [make_ambassador(time_zone="Europe/Amsterdam") for _ in range(7)]
    collector = Collector()

    run = digest_dispatch(enqueue=collector, now=now, batch_size=3)

    assert [len(ids) for _run, _period, ids in collector.batches] == [3, 3, 1]
    assert collector.ids == sorted(a.pk for a in people)
    assert run.planned == 7
    assert collector.numbers == RunNumbers.compute(now=now).to_json()


def test_dispatch_waits_while_a_run_is_still_going(site, now):
    live_item(now)
    make_ambassador(time_zone="Europe/Amsterdam")
    DigestRun.objects.create(started_at=now - timedelta(minutes=5), planned=10)
    collector = Collector()

    assert digest_dispatch(enqueue=collector, now=now) is None
    assert collector.batches == []


def test_a_second_dispatch_sends_nothing_more(site, now):
    live_item(now)
    for _ in range(3):
        make_ambassador(time_zone="Europe/Amsterdam")

    run = digest_dispatch(enqueue=Collector(send=True), now=now)
    again = Collector(send=True)
    second = digest_dispatch(enqueue=again, now=now + timedelta(minutes=15))

    run.refresh_from_db()
    assert (run.planned, run.sent, run.skipped, run.failed, run.unknown) == (3, 3, 0, 0, 0)
    assert run.finished_at == now
    assert second is None
    assert again.batches == []
    assert len(mail.outbox) == 3


# Content ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_languages", "expected"),
    [("en", ["English post"]), ("nl", ["Dutch post"]), ("both", ["Dutch post", "English post"])],
)
def test_content_matches_content_languages(site, now, content_languages, expected):
    live_item(now, title="English post", language="en", age=timedelta(hours=2))
    live_item(now, title="Dutch post", language="nl", age=timedelta(hours=1))
    ambassador = make_ambassador(content_languages=content_languages)

    assert titles(digest_preview(ambassador=ambassador, now=now)) == expected


def test_content_matches_audience(site, now):
    sales, legal = DepartmentFactory(name="Sales"), DepartmentFactory(name="Legal")
    live_item(now, title="For everyone", age=timedelta(hours=3))
    live_item(now, title="For sales", audience=[sales], age=timedelta(hours=2))
    live_item(now, title="For legal", audience=[legal], age=timedelta(hours=1))

    in_sales = make_ambassador(department=sales)
    no_department = make_ambassador(department=None)

    assert titles(digest_preview(ambassador=in_sales, now=now)) == ["For sales", "For everyone"]
    assert titles(digest_preview(ambassador=no_department, now=now)) == ["For everyone"]


def test_content_matches_followed_topics_or_all_when_none_followed(site, now):
    climate, jobs = TopicFactory(slug="climate"), TopicFactory(slug="jobs")
    live_item(now, title="Climate", topics=[climate], age=timedelta(hours=3))
    live_item(now, title="Jobs", topics=[jobs], age=timedelta(hours=2))
    live_item(now, title="No topic", age=timedelta(hours=1))

    follows_climate = make_ambassador(topics=[climate])
    follows_nothing = make_ambassador()

    assert titles(digest_preview(ambassador=follows_climate, now=now)) == ["Climate"]
    assert titles(digest_preview(ambassador=follows_nothing, now=now)) == [
        "No topic",
        "Jobs",
        "Climate",
    ]


def test_content_is_capped_with_urgent_and_featured_first(site, now):
    for n in range(12):
        live_item(now, title=f"Normal {n}", age=timedelta(hours=20 - n))
    live_item(now, title="Featured", is_featured=True, age=timedelta(days=2))
    live_item(now, title="Urgent", is_urgent=True, age=timedelta(days=3))
    ambassador = make_ambassador()

    digest = digest_preview(ambassador=ambassador, now=now)

    assert MAX_ITEMS == 10
    assert titles(digest) == ["Urgent", "Featured"] + [f"Normal {n}" for n in range(11, 3, -1)]


def test_content_is_new_since_the_last_digest_and_a_week_for_the_first(site, now):
    live_item(now, title="Eight days old", age=timedelta(days=8))
    live_item(now, title="Four days old", age=timedelta(days=4))
    live_item(now, title="Two days old", age=timedelta(days=2))
    live_item(now, title="Not live yet", age=-timedelta(hours=1))
    ItemFactory(title="Draft", publish_at=now - timedelta(hours=1))
    first_timer = make_ambassador()
    regular = make_ambassador()
    DigestDelivery.objects.create(
        ambassador=regular,
        period="2026-W47",
        status=DeliveryStatus.SENT,
        claimed_at=now - timedelta(days=3),
    )
    failed_last_time = make_ambassador()
    DigestDelivery.objects.create(
        ambassador=failed_last_time,
        period="2026-W47",
        status=DeliveryStatus.FAILED,
        claimed_at=now - timedelta(days=3),
    )

    assert titles(digest_preview(ambassador=first_timer, now=now)) == [
        "Two days old",
        "Four days old",
    ]
    assert titles(digest_preview(ambassador=regular, now=now)) == ["Two days old"]
    assert titles(digest_preview(ambassador=failed_last_time, now=now)) == [
        "Two days old",
        "Four days old",
    ]


def test_one_version_of_a_translated_story_in_the_readers_language(site, now):
    original = live_item(now, title="Our new office", language="en", age=timedelta(hours=2))
    live_item(now, title="Ons nieuwe kantoor", language="nl", translation_of=original)
    dutch_reader = make_ambassador(language="nl", content_languages="both")
    english_reader = make_ambassador(language="en", content_languages="both")

    assert titles(digest_preview(ambassador=dutch_reader, now=now)) == ["Ons nieuwe kantoor"]
    assert titles(digest_preview(ambassador=english_reader, now=now)) == ["Our new office"]


def test_python_matching_agrees_with_the_feed_queryset(site, now):
    sales = DepartmentFactory(name="Sales")
    items = [
        live_item(now, language="en"),
        live_item(now, language="nl"),
        live_item(now, language="en", audience=[sales]),
        live_item(now, language="nl", audience=[sales, DepartmentFactory(name="Legal")]),
    ]
    people = [
        make_ambassador(department=sales, content_languages="both"),
        make_ambassador(department=None, content_languages="en"),
        make_ambassador(department=DepartmentFactory(name="IT"), content_languages="nl"),
    ]
    for ambassador, digest in zip(people, digests_build(ambassadors=people, now=now), strict=True):
        expected = (
            Item.objects.live(now).for_ambassador(ambassador).filter(pk__in=[i.pk for i in items])
        )
        assert sorted(titles(digest)) == sorted(expected.values_list("title", flat=True))


def test_most_shared_of_the_week_and_own_numbers(site, now):
    popular = live_item(now, title="Popular", age=timedelta(days=10))
    liked = live_item(now, title="Liked", age=timedelta(days=10))
    live_item(now, title="New today")
    ambassador = make_ambassador()
    keen = make_ambassador()
    for day in range(1, 6):
        ShareFactory(ambassador=keen, item=popular, created_at=now - timedelta(days=day))
    # Pressing twice on one day is one share, as in the reports.
    ShareFactory(ambassador=keen, item=popular, created_at=now - timedelta(days=1))
    ShareFactory(ambassador=ambassador, item=liked, created_at=now - timedelta(days=2))
    ShareFactory(ambassador=ambassador, item=liked, created_at=now - timedelta(days=3))
    ShareFactory(
        ambassador=ambassador, item=liked, created_at=now - timedelta(hours=2), undone_at=now
    )
    ShareFactory(ambassador=ambassador, item=popular, created_at=now - timedelta(days=30))
    link = TrackedLinkFactory(ambassador=ambassador, item=liked)
    for _ in range(3):
        ClickFactory(link=link, at=now - timedelta(days=1))
    ClickFactory(link=link, at=now - timedelta(days=1), is_bot=True)

    digest = digest_preview(ambassador=ambassador, now=now)

    assert titles(digest) == ["New today"]
    assert [(e.title, e.shares) for e in digest.most_shared] == [("Popular", 5), ("Liked", 2)]
    assert (digest.shares, digest.clicks, digest.rank) == (2, 3, 2)
    assert digest_preview(ambassador=make_ambassador(), now=now).rank is None


def test_most_shared_in_the_readers_language_and_counted_per_story(site, now):
    story = live_item(now, title="Open day", age=timedelta(days=10))
    dutch = live_item(
        now, title="Open dag", language="nl", translation_of=story, age=timedelta(days=10)
    )
    live_item(now, title="Nieuw vandaag", language="nl")
    sharer = make_ambassador()
    for day in (1, 2, 3):
        ShareFactory(ambassador=sharer, item=story, created_at=now - timedelta(days=day))
    ShareFactory(ambassador=sharer, item=dutch, created_at=now - timedelta(days=1))
    reader = make_ambassador(language="nl", content_languages="both")
    english_reader = make_ambassador(language="en", content_languages="both")

    digest = digest_preview(ambassador=reader, now=now)
    assert [(e.title, e.shares) for e in digest.most_shared] == [("Open dag", 4)]
    other = digest_preview(ambassador=english_reader, now=now)
    assert [(e.title, e.shares) for e in other.most_shared] == [("Open day", 4)]
    message = digest_message(digest=digest)
    assert "Open dag" in message.body
    assert "Open day" not in message.body


def test_a_translation_keeps_its_storys_featured_place_in_the_email(site, now):
    story = live_item(now, title="Big news", is_featured=True, age=timedelta(days=30))
    live_item(now, title="Nieuwer", language="nl", age=timedelta(hours=1))
    live_item(
        now, title="Groot nieuws", language="nl", translation_of=story, age=timedelta(hours=2)
    )
    reader = make_ambassador(language="nl", content_languages="nl")
    digest = digest_preview(ambassador=reader, now=now)
    assert [(e.title, e.is_featured) for e in digest.items] == [
        ("Groot nieuws", True),
        ("Nieuwer", False),
    ]


def test_most_shared_never_lists_an_item_that_has_ended(site, now):
    ended = live_item(now, title="Ended", age=timedelta(days=10))
    still = live_item(now, title="Still live", age=timedelta(days=10))
    live_item(now, title="New today")
    sharer = make_ambassador()
    for day in (1, 2, 3):
        ShareFactory(ambassador=sharer, item=ended, created_at=now - timedelta(days=day))
    ShareFactory(ambassador=sharer, item=still, created_at=now - timedelta(days=1))
    numbers = RunNumbers.compute(now=now)  # the run's numbers, before the item ended
    ended.expires_at = now - timedelta(minutes=1)
    ended.save()
    reader = make_ambassador()
    (digest,) = digests_build(ambassadors=[reader], now=now, numbers=numbers)
    assert [e.title for e in digest.most_shared] == ["Still live"]
    assert [e.title for e in digest_preview(ambassador=reader, now=now).most_shared] == [
        "Still live"
    ]


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("en", "[Test] Nothing new to share this week"),
        ("nl", "[Test] Niets nieuws om te delen deze week"),
    ],
)
def test_test_copy_with_nothing_new_says_so_in_the_subject(site, now, language, subject):
    reader = make_ambassador(language=language)
    message = digest_message(
        digest=digest_preview(ambassador=reader, now=now), test_to="comms@example.com"
    )
    assert message.subject == subject


# The message --------------------------------------------------------------------------------


def test_message_has_one_click_unsubscribe_headers_and_both_parts(site, now):
    item = live_item(now, title="Fresh <news> & more", slug="fresh-news")
    ambassador = make_ambassador(user__first_name="Amber")

    message = digest_message(digest=digest_preview(ambassador=ambassador, now=now))

    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(r"<http://testserver/unsubscribe/[^/]+/>", unsubscribe)
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.to == [ambassador.user.email]
    assert message.subject == "1 new post to share"
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Fresh &lt;news&gt; &amp; more" in html
    assert "Fresh <news> & more" in message.body
    assert f"http://testserver/items/{item.slug}/" in message.body
    assert unsubscribe[1:-1] in message.body
    parsed = message.message()
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed.get_content_type() == "multipart/alternative"


def test_every_link_goes_to_a_portal_page_that_logs_nothing(site, now):
    item = live_item(now, slug="the-story")
    popular = live_item(now, slug="popular-one", age=timedelta(days=9))
    ShareFactory(item=popular, created_at=now - timedelta(days=1))
    ambassador = make_ambassador()

    html = digest_message(digest=digest_preview(ambassador=ambassador, now=now)).alternatives[0][0]

    links = set(re.findall(r'href="([^"]+)"', html))
    item_links = {link for link in links if "/items/" in link}
    assert item_links == {
        f"http://testserver/items/{item.slug}/",
        f"http://testserver/items/{popular.slug}/",
    }
    assert all(link.startswith(settings.SITE_URL + "/") for link in links)
    assert not any("/s/" in link for link in links)
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()


@pytest.mark.parametrize("language", ["en", "nl"])
def test_message_is_rendered_in_the_readers_language(site, now, language):
    live_item(now)
    ambassador = make_ambassador(language=language)

    html = digest_message(digest=digest_preview(ambassador=ambassador, now=now)).alternatives[0][0]

    assert f'<html lang="{language}">' in html


def test_test_copy_has_no_real_unsubscribe_link(site, now):
    live_item(now)
    ambassador = make_ambassador()

    message = digest_message(
        digest=digest_preview(ambassador=ambassador, now=now), test_to="comms@example.com"
    )

    assert message.to == ["comms@example.com"]
    assert "List-Unsubscribe" not in message.extra_headers
    assert "/unsubscribe/" not in message.body
    assert message.subject.startswith("[Test] ")


# Sending a batch ----------------------------------------------------------------------------


def test_batch_sends_claims_and_marks_in_one_go(site, now, scripted):
    live_item(now)
    people = [make_ambassador() for _ in range(3)]
    run = DigestRun.objects.create(started_at=now, planned=3)

    result = digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=[a.pk for a in people])

    assert (result.claimed, result.sent, result.failed, result.skipped) == (3, 3, 0, 0)
    assert scripted.opened == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.user.email for a in people)
    rows = DigestDelivery.objects.filter(period=PERIOD)
    assert list(rows.values_list("status", flat=True).distinct()) == [DeliveryStatus.SENT]
    assert all(row.sent_at == now and row.run_id == run.pk for row in rows)
    run.refresh_from_db()
    assert (run.sent, run.failed, run.skipped, run.finished_at) == (3, 0, 0, now)


def test_nothing_new_means_no_email_and_no_delivery_row(site, now):
    live_item(now, age=timedelta(days=8))
    ambassador = make_ambassador()
    run = DigestRun.objects.create(started_at=now, planned=1)

    result = digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=[ambassador.pk])

    assert (result.claimed, result.sent, result.skipped) == (0, 0, 1)
    assert mail.outbox == []
    assert DigestDelivery.objects.count() == 0
    run.refresh_from_db()
    assert (run.skipped, run.finished_at) == (1, now)


def test_unsubscribing_after_dispatch_takes_effect_before_sending(site, now):
    live_item(now)
    ambassador = make_ambassador()
    collector = Collector()
    digest_dispatch(enqueue=collector, now=now)
    Ambassador.objects.filter(pk=ambassador.pk).update(digest_enabled=False)

    ((run_id, period, ids),) = collector.batches
    digest_batch_send(run_id=run_id, period=period, ambassador_ids=ids)

    assert mail.outbox == []
    assert DigestDelivery.objects.count() == 0


def test_running_a_batch_twice_sends_one_email_each(site, now):
    live_item(now)
    people = [make_ambassador() for _ in range(4)]
    ids = [a.pk for a in people]

    first = digest_batch_send(run_id=None, period=PERIOD, ambassador_ids=ids)
    second = digest_batch_send(run_id=None, period=PERIOD, ambassador_ids=ids)

    assert (first.sent, second.sent, second.claimed) == (4, 0, 0)
    assert len(mail.outbox) == 4
    assert DigestDelivery.objects.count() == 4


def test_rows_claimed_by_another_execution_are_left_alone(site, now):
    live_item(now)
    busy, free = make_ambassador(), make_ambassador()
    DigestDelivery.objects.create(ambassador=busy, period=PERIOD, claimed_at=now)

    result = digest_batch_send(run_id=None, period=PERIOD, ambassador_ids=[busy.pk, free.pk])

    assert result.sent == 1
    assert [m.to for m in mail.outbox] == [[free.user.email]]
    assert DigestDelivery.objects.get(ambassador=busy).status == DeliveryStatus.CLAIMED


@pytest.mark.parametrize("size", [5, 50])
def test_queries_per_batch_do_not_grow_with_ambassadors(site, now, size, django_assert_num_queries):
    topics = [TopicFactory(slug=f"t{n}") for n in range(3)]
    departments = [DepartmentFactory(name=f"D{n}") for n in range(3)]
    for n in range(12):
        live_item(
            now,
            topics=[topics[n % 3]],
            audience=[departments[n % 3]] if n % 2 else [],
            language="en" if n % 4 else "nl",
            age=timedelta(hours=n + 1),
        )
    people = [
        make_ambassador(department=departments[n % 3], topics=[topics[n % 3]] if n % 2 else [])
        for n in range(size)
    ]
    for person in people[:3]:
        ShareFactory(ambassador=person, item=Item.objects.first(), created_at=now)
        ClickFactory(link=TrackedLinkFactory(ambassador=person), at=now)
    run = DigestRun.objects.create(started_at=now, planned=size)
    ids = [a.pk for a in people]

    # own numbers: one query for the batch (rollups for past days, raw rows for today),
    # one for the rollup horizon before each of the two numbers queries, and one for the
    # newest folded click day (the click numbers of the week need no check against it)
    with django_assert_num_queries(23):
        result = digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=ids[: size // 2])
    numbers = RunNumbers.compute(now=now).to_json()  # what the dispatcher hands each batch
    with django_assert_num_queries(20):
        rest = digest_batch_send(
            run_id=run.pk, period=PERIOD, ambassador_ids=ids[size // 2 :], numbers=numbers
        )

    assert result.sent + rest.sent == size
    assert len(mail.outbox) == size


# SMTP trouble -------------------------------------------------------------------------------


def test_server_down_releases_the_claims_and_asks_for_a_retry(site, now, scripted):
    live_item(now)
    people = [make_ambassador() for _ in range(3)]
    scripted.on_open = [ConnectionRefusedError("connection refused")]

    with pytest.raises(TransientMailError):
        digest_batch_send(run_id=None, period=PERIOD, ambassador_ids=[a.pk for a in people])

    assert mail.outbox == []
    assert DigestDelivery.objects.count() == 0


def test_connection_lost_halfway_keeps_what_was_sent_and_retries_the_rest(site, now, scripted):
    live_item(now)
    people = [make_ambassador() for _ in range(5)]
    ids = [a.pk for a in people]
    scripted.on_send = [None, None, smtplib.SMTPServerDisconnected("gone")]

    with pytest.raises(TransientMailError):
        digest_batch_send(run_id=None, period=PERIOD, ambassador_ids=ids)
    assert len(mail.outbox) == 2
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2
    assert DigestDelivery.objects.count() == 2

    retry = digest_batch_send(run_id=None, period=PERIOD, ambassador_ids=ids, attempt=2)

    assert retry.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.user.email for a in people)
    assert DigestDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 5


def test_permanent_refusal_is_recorded_and_the_rest_go_out(site, now, scripted):
    live_item(now)
    people = [make_ambassador() for _ in range(3)]
    run = DigestRun.objects.create(started_at=now, planned=3)
    refused = smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"No such user")})
    scripted.on_send = [None, refused, None]

    result = digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=[a.pk for a in people])

    assert (result.sent, result.failed) == (2, 1)
    failed = DigestDelivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.ambassador_id == people[1].pk
    assert "550" in failed.error
    run.refresh_from_db()
    assert (run.sent, run.failed, run.finished_at) == (2, 1, now)


def test_last_attempt_records_temporary_trouble_as_failed(site, now, scripted):
    live_item(now)
    ambassador = make_ambassador()
    scripted.on_open = [smtplib.SMTPServerDisconnected("still gone")]

    result = digest_batch_send(
        run_id=None, period=PERIOD, ambassador_ids=[ambassador.pk], final_attempt=True
    )

    assert result.failed == 1
    row = DigestDelivery.objects.get()
    assert (row.status, row.error) == (
        DeliveryStatus.FAILED,
        "SMTPServerDisconnected: still gone",
    )


def test_task_retries_temporary_errors_then_sends(site, now, scripted):
    live_item(now)
    people = [make_ambassador() for _ in range(2)]
    run = DigestRun.objects.create(started_at=now, planned=2)
    scripted.on_open = [smtplib.SMTPServerDisconnected("busy"), OSError("timed out")]

    result = digest_send_batch.apply(args=(run.pk, PERIOD, [a.pk for a in people]))

    assert result.successful()
    assert len(mail.outbox) == 2
    assert list(DigestDelivery.objects.values_list("status", "attempts").distinct()) == [
        (DeliveryStatus.SENT, 3)
    ]
    run.refresh_from_db()
    assert (run.sent, run.failed, run.finished_at) == (2, 0, now)


def test_task_gives_up_after_max_retries_and_records_the_failure(site, now, scripted):
    live_item(now)
    ambassador = make_ambassador()
    run = DigestRun.objects.create(started_at=now, planned=1)
    scripted.on_open = [OSError("connection refused")] * (digest_send_batch.max_retries + 1)

    result = digest_send_batch.apply(args=(run.pk, PERIOD, [ambassador.pk]))

    assert result.successful()
    assert mail.outbox == []
    row = DigestDelivery.objects.get()
    assert (row.status, row.attempts, row.error) == (
        DeliveryStatus.FAILED,
        digest_send_batch.max_retries + 1,
        "OSError: connection refused",
    )
    run.refresh_from_db()
    assert (run.failed, run.finished_at) == (1, now)


# A worker that died mid-batch ---------------------------------------------------------------


def test_old_claims_become_unknown_and_are_never_resent(site, now):
    live_item(now)
    dead, alive = make_ambassador(), make_ambassador()
    run = DigestRun.objects.create(started_at=now - timedelta(hours=1), planned=2, sent=1)
    DigestDelivery.objects.create(
        ambassador=dead, period=PERIOD, run=run, claimed_at=now - timedelta(minutes=31)
    )
    DigestDelivery.objects.create(
        ambassador=alive, period=PERIOD, run=run, claimed_at=now - timedelta(minutes=5)
    )

    marked = deliveries_mark_unknown(older_than=timedelta(minutes=30))
    digest_batch_send(run_id=run.pk, period=PERIOD, ambassador_ids=[dead.pk])

    assert marked == 1
    assert DigestDelivery.objects.get(ambassador=dead).status == DeliveryStatus.UNKNOWN
    assert DigestDelivery.objects.get(ambassador=alive).status == DeliveryStatus.CLAIMED
    assert mail.outbox == []
    run.refresh_from_db()
    assert (run.unknown, run.finished_at) == (1, now)


# Tasks --------------------------------------------------------------------------------------


def test_dispatcher_task_sweeps_and_enqueues_each_batch_after_commit(
    site, now, settings, django_capture_on_commit_callbacks
):
    settings.DIGEST_BATCH_SIZE = 2
    live_item(now)
    for _ in range(5):
        make_ambassador()
    stale = make_ambassador()
    DigestDelivery.objects.create(
        ambassador=stale, period=PERIOD, claimed_at=now - timedelta(hours=1)
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run_id = digest_dispatch_task()

    assert len(callbacks) == 3
    assert DigestRun.objects.get(pk=run_id).planned == 5
    assert DigestDelivery.objects.get(ambassador=stale).status == DeliveryStatus.UNKNOWN


def test_beat_runs_the_dispatcher_and_the_alert_sweeper():
    from portal.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"] for entry in schedule.values()}
    assert {"ambassadors.digest_dispatch", "ambassadors.alert_sweep"} <= tasks
    app.loader.import_default_modules()
    assert tasks <= set(app.tasks)


def test_nobody_is_planned_twice_across_groups(site, now):
    live_item(now)
    people = [make_ambassador(time_zone=zone) for zone in ("Europe/Amsterdam", "Europe/Paris")]
    collector = Collector()

    digest_dispatch(enqueue=collector, now=now)

    assert collector.ids == sorted(a.pk for a in people)
    has_row = DigestDelivery.objects.filter(ambassador=OuterRef("pk"))
    assert not Ambassador.objects.filter(Exists(has_row)).exists()


def test_own_numbers_match_my_impact_and_the_leaderboard(site, now):
    from ambassadors.reporting.impact import impact_for

    item = live_item(now, age=timedelta(days=9))
    live_item(now)
    first, second, third = make_ambassador(), make_ambassador(), make_ambassador()
    gone = make_ambassador(opted_out_at=now)
    for network in ("linkedin", "x", "facebook"):
        ShareFactory(ambassador=first, item=item, network=network, created_at=now)
    for person in (second, third):
        ShareFactory(ambassador=person, item=item, created_at=now)
        ShareFactory(ambassador=person, item=item, created_at=now)  # same day: one share
    for network in ("linkedin", "x", "facebook", "email", "bluesky"):
        ShareFactory(ambassador=gone, item=item, network=network, created_at=now)

    digests = digests_build(ambassadors=[first, second, third], now=now)

    assert [(d.shares, d.rank) for d in digests] == [(3, 1), (1, 2), (1, 2)]
    for person, digest in zip((first, second, third), digests, strict=True):
        impact = impact_for(ambassador=person)
        assert (digest.shares, digest.rank) == (impact["this_month"]["shares"], impact["place"])
