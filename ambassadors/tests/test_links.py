"""Tracked links and click counting: /s/<code>, the click buffer, flush and retention."""

from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from ambassadors.models import Click, ClickDaily, TrackedLink
from ambassadors.tasks import clicks_flush as clicks_flush_task
from ambassadors.tasks import clicks_fold_old as clicks_fold_old_task
from ambassadors.tests.factories import (
    ClickFactory,
    ItemFactory,
    TrackedLinkFactory,
)
from ambassadors.tracking import click_store, clicks, links

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36"
OTHER_BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) AppleWebKit/605.1.15 Safari/604.1"


@pytest.fixture(autouse=True)
def _fresh_link_state():
    links.link_cache_clear()
    clicks.buffer.reset()
    clicks.pump.forget_limits()
    _clear_buffer()
    yield
    clicks.pump.wait_idle()
    links.link_cache_clear()
    clicks.buffer.reset()
    clicks.pump.forget_limits()
    _clear_buffer()


def _clear_buffer():
    if settings.CLICK_BUFFER_URL:
        try:
            client = redis.Redis.from_url(settings.CLICK_BUFFER_URL, socket_connect_timeout=0.5)
            keys = list(client.scan_iter("portal:clicks:*")) + list(client.scan_iter("portal:rl:*"))
            if keys:
                client.delete(*keys)
        except redis.exceptions.ConnectionError:
            pass


def visit(client, code, user_agent=BROWSER, ip="203.0.113.7", **extra):
    return client.get(f"/s/{code}", HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip, **extra)


def stored_clicks():
    assert clicks.pump.wait_idle()
    clicks.clicks_flush()  # a no-op without the Redis buffer
    return list(Click.objects.order_by("at", "pk"))


@pytest.fixture
def link():
    item = ItemFactory(
        live=True, slug="new-office", link="https://example.com/news?id=7&lang=nl#photos"
    )
    return TrackedLinkFactory(item=item, network="linkedin", code="Ab3dE5gH7k")


def test_tracked_link_is_one_per_ambassador_item_network(ambassador):
    item = ItemFactory(live=True)
    first = links.tracked_link_get_or_create(ambassador=ambassador, item=item, network="x")
    again = links.tracked_link_get_or_create(ambassador=ambassador, item=item, network="x")
    other = links.tracked_link_get_or_create(ambassador=ambassador, item=item, network="linkedin")
    assert first.pk == again.pk
    assert other.pk != first.pk
    assert len(first.code) == 10
    assert first.code.isalnum()
    assert first.code != other.code


def test_code_collision_draws_a_new_code(ambassador, monkeypatch):
    taken = TrackedLinkFactory(code="Taken12345")
    codes = iter(["Taken12345", "Fresh12345"])
    monkeypatch.setattr(links, "new_code", lambda: next(codes))
    link = links.tracked_link_get_or_create(
        ambassador=ambassador, item=ItemFactory(live=True), network="x"
    )
    assert link.code == "Fresh12345"
    assert TrackedLink.objects.get(pk=taken.pk).ambassador_id == taken.ambassador_id


def test_redirect_adds_utm_and_keeps_the_links_own_query_and_fragment(client, link):
    response = visit(client, link.code)
    assert response.status_code == 302
    assert response["Location"] == (
        "https://example.com/news?id=7&lang=nl"
        "&utm_source=linkedin&utm_medium=ambassador&utm_campaign=new-office#photos"
    )
    assert response["Cache-Control"] == "no-store"


def test_existing_utm_tags_are_replaced_not_doubled(client):
    item = ItemFactory(
        live=True, slug="s", link="https://e.com/?utm_source=mail&a=%20b&utm_medium=x"
    )
    link = TrackedLinkFactory(item=item, network="x")
    assert visit(client, link.code)["Location"] == (
        "https://e.com/?a=%20b&utm_source=x&utm_medium=ambassador&utm_campaign=s"
    )


def test_item_without_link_goes_to_its_public_page(client):
    link = TrackedLinkFactory(item=ItemFactory(live=True, slug="plain", link=""), network="email")
    assert visit(client, link.code)["Location"] == (
        "http://testserver/p/plain/?utm_source=email&utm_medium=ambassador&utm_campaign=plain"
    )


def test_redirect_keeps_working_after_the_item_expires(client, link):
    link.item.expires_at = timezone.now() - timedelta(days=30)
    link.item.save()
    assert visit(client, link.code).status_code == 302


@pytest.mark.parametrize("code", ["nope", "Ab3dE5gH7K", "A" * 17, "%2F%2Fevil.com", "a.b"])
def test_unknown_codes_are_404_and_count_nothing(client, link, code):
    assert visit(client, code).status_code == 404
    assert stored_clicks() == []


@pytest.mark.parametrize(
    "suffix",
    [
        "?next=https://evil.com",
        "?url=//evil.com",
        "/https://evil.com",
        "//evil.com",
        "%0d%0aLocation:x",
    ],
)
def test_open_redirect_attempts_fail(client, link, suffix):
    response = client.get(f"/s/{link.code}{suffix}", HTTP_USER_AGENT=BROWSER)
    if response.status_code == 302:
        assert response["Location"].startswith("https://example.com/news?id=7&lang=nl&utm_")
    else:
        assert response.status_code == 404


@pytest.mark.parametrize(
    "stored", ["javascript:alert(1)", "//evil.com/x", "data:text/html,hi", "ftp://e.com/f"]
)
def test_a_bad_stored_link_falls_back_to_our_own_page(client, stored):
    link = TrackedLinkFactory(item=ItemFactory(live=True, slug="safe", link=stored))
    assert visit(client, link.code)["Location"].startswith("http://testserver/p/safe/?utm_")


def test_clicks_are_unique_per_visitor_per_day(client, link, time_machine):
    time_machine.move_to(timezone.now(), tick=True)
    visit(client, link.code)
    visit(client, link.code)
    visit(client, link.code, user_agent=OTHER_BROWSER)
    visit(client, link.code, ip="198.51.100.1")
    rows = stored_clicks()
    assert [(c.is_unique, c.is_bot) for c in rows] == [
        (True, False),
        (False, False),
        (True, False),
        (True, False),
    ]
    assert rows[0].visitor_hash == rows[1].visitor_hash
    assert len({c.visitor_hash for c in rows}) == 3
    assert all(c.link_id == link.pk for c in rows)
    assert rows[0].day == timezone.localdate(rows[0].at)


def test_no_raw_ip_or_user_agent_is_stored(client, link):
    visit(client, link.code, ip="203.0.113.99")
    row = stored_clicks()[0]
    assert len(row.visitor_hash) == 64
    values = {str(v) for v in Click.objects.values_list().get()}
    assert not any("203.0.113.99" in v or "Android" in v for v in values)


def test_the_same_visitor_is_unique_again_the_next_day_with_a_new_hash(client, link, time_machine):
    time_machine.move_to(timezone.now().replace(hour=12), tick=True)
    visit(client, link.code)
    time_machine.move_to(timezone.now() + timedelta(days=1), tick=True)
    visit(client, link.code)
    first, second = stored_clicks()
    assert (first.is_unique, second.is_unique) == (True, True)
    assert first.visitor_hash != second.visitor_hash


@pytest.mark.parametrize(
    "user_agent",
    [
        "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "WhatsApp/2.23.20.0",
        "TelegramBot (like TwitterBot)",
        "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mastodon/4.3.0 (http.rb/5.2.0; +https://mastodon.social/)",
        "Bluesky Cardyb/1.1",
        "curl/8.5.0",
        "python-requests/2.32",
        "",
    ],
)
def test_bots_are_counted_but_never_unique(client, link, user_agent):
    visit(client, link.code, user_agent=user_agent)
    visit(client, link.code, user_agent=user_agent)
    assert [(c.is_bot, c.is_unique) for c in stored_clicks()] == [(True, False), (True, False)]


@pytest.mark.parametrize("user_agent", [BROWSER, OTHER_BROWSER, "Mozilla/5.0 Firefox/131.0"])
def test_browsers_are_not_bots(user_agent):
    assert clicks.is_bot(user_agent) is False


@override_settings(REDIRECT_RATE_LIMIT=3)
def test_rate_limit_answers_429_and_counts_nothing_more(client, link):
    statuses = [visit(client, link.code).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert len(stored_clicks()) == 3
    assert visit(client, link.code, ip="198.51.100.2").status_code == 302  # another client
    response = visit(client, link.code)
    assert response["Retry-After"] == "60"


@override_settings(REDIRECT_RATE_LIMIT=2)
def test_rate_limit_also_counts_guessed_codes(client, link):
    assert [visit(client, "guess1").status_code for _ in range(3)] == [404, 404, 429]
    assert visit(client, link.code).status_code == 429


@override_settings(REDIRECT_RATE_LIMIT=1)
def test_link_preview_crawlers_are_never_rate_limited(client, link):
    bot = "facebookexternalhit/1.1"
    assert {visit(client, link.code, user_agent=bot).status_code for _ in range(5)} == {302}
    assert len(stored_clicks()) == 5


def test_redirect_is_get_only_and_needs_no_csrf_token(link):
    client = Client(enforce_csrf_checks=True)
    assert visit(client, link.code).status_code == 302
    assert client.post(f"/s/{link.code}").status_code == 405
    assert client.head(f"/s/{link.code}").status_code == 302


def test_an_edited_link_takes_effect_within_seconds(client, link, monkeypatch):
    assert visit(client, link.code)["Location"].startswith("https://example.com/")
    link.item.link = "https://example.org/moved"
    link.item.save()
    assert visit(client, link.code)["Location"].startswith("https://example.com/")  # cached
    links.link_targets_forget(item=link.item)
    later = links.time.monotonic() + settings.LINK_CACHE_SECONDS + 0.1
    monkeypatch.setattr(links.time, "monotonic", lambda: later)
    assert visit(client, link.code)["Location"].startswith("https://example.org/moved?utm_")


@override_settings(CLICK_BUFFER_URL="redis://127.0.0.1:1/0", CLICK_BACKGROUND_PUSH=False)
def test_clicks_are_counted_when_redis_is_down(client, link):
    statuses = [visit(client, link.code).status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    rows = list(Click.objects.order_by("pk"))  # written straight to the database
    assert [(c.is_unique, c.is_bot) for c in rows] == [
        (True, False),
        (False, False),
        (False, False),
    ]
    assert clicks.clicks_flush() == 0


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
@override_settings(CLICK_BUFFER_URL="redis://127.0.0.1:1/0", CLICK_BACKGROUND_PUSH=True)
def test_background_push_falls_back_to_the_database_when_redis_is_down(client, link):
    statuses = [visit(client, link.code).status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    assert clicks.pump.wait_idle()
    rows = list(Click.objects.order_by("at"))
    assert [c.is_unique for c in rows] == [True, False, False]


@pytest.mark.services("redis")
@pytest.mark.parametrize("background", [True, False], ids=["background", "synchronous"])
def test_clicks_are_buffered_in_redis_and_flushed_in_bulk(
    client, link, django_assert_num_queries, settings, background
):
    settings.CLICK_BACKGROUND_PUSH = background
    visit(client, link.code)  # fills the per-process cache
    with django_assert_num_queries(0):
        for _ in range(3):
            assert visit(client, link.code).status_code == 302
        visit(client, link.code, user_agent="Twitterbot/1.0")
    assert clicks.pump.wait_idle()
    assert Click.objects.count() == 0
    assert clicks_flush_task() == 5
    rows = list(Click.objects.order_by("at"))
    assert [(c.is_unique, c.is_bot) for c in rows] == [
        (True, False),
        (False, False),
        (False, False),
        (False, False),
        (False, True),
    ]
    assert clicks_flush_task() == 0


@pytest.mark.services("redis")
def test_flush_interrupted_after_commit_does_not_count_twice(link):
    client = redis.Redis.from_url(settings.CLICK_BUFFER_URL)
    at = timezone.now()
    pending = [
        click_store.PendingClick(link.pk, at + timedelta(seconds=n), f"visitor{n % 2}", False)
        for n in range(4)
    ]
    click_store.clicks_store(pending[:2])  # committed, but the processing list was not cleared
    client.rpush(clicks.PROCESSING_KEY, *[p.dumps() for p in pending[:2]])
    client.lpush(clicks.BUFFER_KEY, *[p.dumps() for p in pending[2:]])
    assert clicks.clicks_flush() == 2
    rows = list(Click.objects.order_by("at"))
    assert [(c.visitor_hash, c.is_unique) for c in rows] == [
        ("visitor0", True),
        ("visitor1", True),
        ("visitor0", False),
        ("visitor1", False),
    ]
    assert client.llen(clicks.PROCESSING_KEY) == 0
    assert client.llen(clicks.BUFFER_KEY) == 0


@pytest.mark.services("redis")
def test_flush_skips_clicks_of_deleted_links(link):
    client = redis.Redis.from_url(settings.CLICK_BUFFER_URL)
    gone = TrackedLinkFactory()
    at = timezone.now()
    client.lpush(
        clicks.BUFFER_KEY,
        click_store.PendingClick(gone.pk, at, "v", False).dumps(),
        click_store.PendingClick(link.pk, at, "v", False).dumps(),
    )
    gone.delete()
    assert clicks.clicks_flush() == 1
    assert list(Click.objects.values_list("link_id", flat=True)) == [link.pk]


def test_old_clicks_are_folded_into_daily_totals(time_machine):
    now = timezone.now().replace(hour=12)
    time_machine.move_to(now, tick=False)
    link = TrackedLinkFactory()
    old = now - timedelta(days=settings.CLICK_RETENTION_DAYS + 1)
    older = now - timedelta(days=settings.CLICK_RETENTION_DAYS + 5)
    ClickFactory(link=link, at=old, is_unique=True)
    ClickFactory(link=link, at=old, is_unique=False)
    ClickFactory(link=link, at=old, is_bot=True, is_unique=False)
    ClickFactory(link=link, at=older, is_unique=True)
    ClickDaily.objects.create(
        link=link, day=timezone.localdate(older), clicks=2, unique_clicks=1, bot_clicks=1
    )
    recent = ClickFactory(link=link, at=now - timedelta(days=2))
    assert clicks_fold_old_task() == 4
    assert clicks_fold_old_task() == 0
    assert list(Click.objects.values_list("pk", flat=True)) == [recent.pk]
    totals = {
        row.day: (row.clicks, row.unique_clicks, row.bot_clicks)
        for row in ClickDaily.objects.filter(link=link)
    }
    assert totals == {
        timezone.localdate(old): (3, 1, 1),
        timezone.localdate(older): (3, 2, 1),
    }


def test_the_flush_task_is_in_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"ambassadors.clicks_flush", "ambassadors.clicks_fold_old"} <= tasks


@pytest.mark.services("redis")
@override_settings(REDIRECT_RATE_LIMIT=5, CLICK_BACKGROUND_PUSH=True)
def test_background_rate_limit_adds_up_hits_from_other_processes(client, link, time_machine):
    time_machine.move_to(timezone.now().replace(second=5), tick=True)  # not at a window edge
    window = int(clicks.time.time() // clicks.RATE_WINDOW_SECONDS)
    shared = redis.Redis.from_url(settings.CLICK_BUFFER_URL)
    key = f"{clicks._rate_key('203.0.113.7')}:{window}"
    shared.set(key, 4, ex=120)  # four hits already counted by other web processes
    assert visit(client, link.code).status_code == 302  # this process has seen one
    assert visit(client, link.code).status_code == 302
    assert clicks.pump.wait_idle()  # the pump learns the shared total: 6 > 5
    assert visit(client, link.code).status_code == 429
    assert visit(client, link.code, ip="198.51.100.9").status_code == 302
    assert len(stored_clicks()) == 3


def test_editing_the_link_in_the_studio_reaches_the_redirect(
    client, link, comms_user, monkeypatch, django_capture_on_commit_callbacks
):
    from ambassadors.publishing.items import item_update
    from ambassadors.publishing.revisions import revision_approve
    from ambassadors.tests.factories import CommsUserFactory

    assert visit(client, link.code)["Location"].startswith("https://example.com/")
    with django_capture_on_commit_callbacks(execute=True):
        item_update(item=link.item, by=comms_user, link="https://example.org/moved")
        # The item is live: the new link waits for a second person (issue 12).
        revision_approve(revision=link.item.revisions.get(), by=CommsUserFactory())
    later = links.time.monotonic() + settings.LINK_CACHE_SECONDS + 0.1
    monkeypatch.setattr(links.time, "monotonic", lambda: later)
    assert visit(client, link.code)["Location"].startswith("https://example.org/moved?utm_")


def test_folding_old_clicks_changes_no_total_in_the_reports(time_machine):
    from ambassadors.reporting.activity import activity_totals

    now = timezone.now().replace(hour=12)
    time_machine.move_to(now, tick=False)
    link = TrackedLinkFactory()
    old = now - timedelta(days=settings.CLICK_RETENTION_DAYS + 1)
    for n in range(3):
        ClickFactory(link=link, at=old, visitor_hash=f"person{n}", is_unique=True)
    for n in range(2):
        ClickFactory(link=link, at=old, visitor_hash=f"bot{n}", is_bot=True, is_unique=False)
    before = activity_totals(period=None, ambassador_id=link.ambassador_id)
    assert clicks_fold_old_task() == 5
    after = activity_totals(period=None, ambassador_id=link.ambassador_id)
    assert (before["clicks"], before["unique_clicks"]) == (3, 3)
    assert (after["clicks"], after["unique_clicks"]) == (3, 3)


def _click_sql(period) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ambassadors.reporting.activity import activity_totals

    with CaptureQueriesContext(connection) as queries:
        activity_totals(period=period)
    return " ".join(q["sql"] for q in queries.captured_queries)


def test_a_late_raw_click_on_a_folded_day_waits_for_the_next_fold(time_machine, settings):
    """Raw clicks of a (link, day) that already has a daily total do not count until they
    are folded too, so no click counts twice; a period that reaches folded days keeps the
    check, one that starts after the newest folded day inside retention needs none."""
    from ambassadors.reporting.activity import activity_totals
    from ambassadors.reporting.periods import Period

    now = timezone.now().replace(hour=12)
    time_machine.move_to(now, tick=False)
    link = TrackedLinkFactory()
    old = now - timedelta(days=settings.CLICK_RETENTION_DAYS + 1)
    ClickFactory(link=link, at=old, visitor_hash="first", is_unique=True)
    assert clicks_fold_old_task() == 1
    ClickFactory(link=link, at=old, visitor_hash="late", is_unique=True)  # after the fold
    ClickFactory(link=link, at=now, visitor_hash="today", is_unique=True)
    today = timezone.localdate()
    everything = Period(old.date() - timedelta(days=1), today)
    assert activity_totals(period=everything)["clicks"] == 2  # the late click waits
    assert "NOT EXISTS" in _click_sql(everything).upper()
    recent = Period(today - timedelta(days=7), today)
    assert activity_totals(period=recent)["clicks"] == 1
    assert "NOT EXISTS" not in _click_sql(recent).upper()

    # retention raised after a fold: the newest folded day is now inside the window
    settings.CLICK_RETENTION_DAYS += 30
    since_fold = Period(old.date(), today)
    assert activity_totals(period=since_fold)["clicks"] == 2
    assert "NOT EXISTS" in _click_sql(since_fold).upper()
    after_fold = Period(old.date() + timedelta(days=1), today)
    assert activity_totals(period=after_fold)["clicks"] == 1
    assert "NOT EXISTS" not in _click_sql(after_fold).upper()


@override_settings(REDIRECT_RATE_LIMIT=2)
@pytest.mark.parametrize("user_agent", ["curl/8.5", "", "python-requests/2.32", "HeadlessChrome"])
def test_scripts_calling_themselves_bots_are_still_rate_limited(client, link, user_agent):
    statuses = [visit(client, link.code, user_agent=user_agent).status_code for _ in range(4)]
    assert statuses == [302, 302, 429, 429]
    assert [c.is_bot for c in stored_clicks()] == [True, True]


@override_settings(REDIRECT_RATE_LIMIT=2)
def test_head_requests_count_towards_the_limit_but_not_as_clicks(client, link):
    heads = [
        client.head(f"/s/{link.code}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
        for _ in range(3)
    ]
    assert [r.status_code for r in heads] == [302, 302, 429]
    assert stored_clicks() == []


@override_settings(REDIRECT_RATE_LIMIT=2)
def test_a_preview_crawler_guessing_codes_is_rate_limited(client):
    crawler = "facebookexternalhit/1.1"
    statuses = [visit(client, f"guess{n}", user_agent=crawler).status_code for n in range(4)]
    assert statuses == [404, 404, 429, 429]
