"""The daily salt of visitor hashes and /s/ rate-limit keys (ambassadors/tracking/salts.py): random,
shared by every process for its day, and gone once the day is over."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone

from ambassadors.models import DailySalt
from ambassadors.tasks import clicks_salts_purge
from ambassadors.tests.factories import ItemFactory, TrackedLinkFactory
from ambassadors.tests.test_links import BROWSER, _clear_buffer, stored_clicks, visit
from ambassadors.tracking import clicks, links, salts

pytestmark = pytest.mark.django_db
IP = "203.0.113.7"


@pytest.fixture(autouse=True)
def _fresh_state():
    salts.salt_cache_clear()
    links.link_cache_clear()
    clicks.buffer.reset()
    clicks.pump.forget_limits()
    _clear_buffer()
    yield
    clicks.pump.wait_idle()
    salts.salt_cache_clear()
    links.link_cache_clear()
    clicks.buffer.reset()
    clicks.pump.forget_limits()
    _clear_buffer()


@pytest.fixture
def noon(time_machine):
    now = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    time_machine.move_to(now, tick=True)
    return now


@pytest.fixture
def link():
    item = ItemFactory(live=True, slug="new-office", link="https://example.com/news")
    return TrackedLinkFactory(item=item, network="linkedin", code="Ab3dE5gH7k")


def old_derivation(day) -> bytes:
    """How the salt was made before: anyone with SECRET_KEY could recompute it."""
    message = f"click-visitor-salt:{day.isoformat()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()


def test_the_salt_is_random_and_differs_per_day(noon, time_machine):
    today = timezone.localdate()
    first = salts.daily_salt(today)
    time_machine.move_to(noon + timedelta(days=1), tick=True)
    second = salts.daily_salt(today + timedelta(days=1))
    assert len(first) == len(second) == 32
    assert first != second
    assert first != old_derivation(today)
    assert second != old_derivation(today + timedelta(days=1))


def test_the_salt_is_drawn_anew_not_derived_from_the_date_or_key(noon):
    today = timezone.localdate()
    first = salts.daily_salt(today)
    DailySalt.objects.all().delete()
    salts.salt_cache_clear()
    assert salts.daily_salt(today) != first  # same day, same SECRET_KEY: a new draw


def test_every_process_reads_the_same_salt_for_the_day(noon):
    today = timezone.localdate()
    first = salts.daily_salt(today)
    assert list(DailySalt.objects.values_list("day", flat=True)) == [today]
    assert bytes(DailySalt.objects.get().salt) == first
    salts.salt_cache_clear()  # another web process starting up
    assert salts.daily_salt(today) == first
    assert DailySalt.objects.count() == 1


def test_the_salt_is_read_from_the_database_once_per_process_and_day(
    noon, django_assert_num_queries
):
    today = timezone.localdate()
    salts.daily_salt(today)
    with django_assert_num_queries(0):
        for _ in range(5):
            salts.daily_salt(today)


def test_the_salt_is_gone_the_day_after(noon, time_machine):
    yesterday = timezone.localdate()
    salts.daily_salt(yesterday)
    time_machine.move_to(noon + timedelta(days=1), tick=True)
    with pytest.raises(salts.SaltGone):
        salts.daily_salt(yesterday)
    salts.daily_salt(yesterday + timedelta(days=1))  # the first use today destroys it
    assert list(DailySalt.objects.values_list("day", flat=True)) == [yesterday + timedelta(1)]
    assert yesterday not in salts._known


def test_the_hourly_task_destroys_it_even_without_visitors(noon, time_machine):
    yesterday = timezone.localdate()
    salts.daily_salt(yesterday)
    time_machine.move_to(noon + timedelta(days=1), tick=True)
    assert clicks_salts_purge() == 1
    assert clicks_salts_purge() == 0
    assert DailySalt.objects.count() == 0
    assert salts._known == {}
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["ambassadors.clicks_salts_purge"]["schedule"] == 3600.0


def test_a_key_holder_cannot_reproduce_yesterdays_hash(client, link, noon, time_machine):
    visit(client, link.code, ip=IP)
    (stored,) = stored_clicks()
    yesterday = stored.day
    time_machine.move_to(noon + timedelta(days=1), tick=True)
    visit(client, link.code, ip=IP)  # today's first visit destroys yesterday's salt
    clicks_salts_purge()
    salts.salt_cache_clear()  # and a fresh process knows nothing either

    # Everything a key holder can try with the true IP and agent:
    candidates = {
        hashlib.sha256(old_derivation(yesterday) + f"{IP}\n{BROWSER}".encode()).hexdigest(),
        hashlib.blake2b(
            f"{IP}\n{BROWSER}".encode(), key=old_derivation(yesterday), digest_size=32
        ).hexdigest(),
        hashlib.blake2b(
            f"{IP}\n{BROWSER}".encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=32
        ).hexdigest(),
        clicks.visitor_hash(ip=IP, user_agent=BROWSER, day=timezone.localdate()),
    }
    assert stored.visitor_hash not in candidates
    with pytest.raises(salts.SaltGone):
        clicks.visitor_hash(ip=IP, user_agent=BROWSER, day=yesterday)
    assert not DailySalt.objects.filter(day=yesterday).exists()


def test_the_same_visitor_is_still_one_unique_click_a_day(client, link, noon):
    visit(client, link.code, ip=IP)
    salts.salt_cache_clear()  # the second visit lands on another web process
    visit(client, link.code, ip=IP)
    assert [c.is_unique for c in stored_clicks()] == [True, False]


def test_rate_limit_keys_are_salted_and_change_every_day(noon, time_machine):
    unsalted = hashlib.blake2b(IP.encode(), digest_size=12).hexdigest()
    today = clicks._rate_key(IP)
    assert unsalted not in today
    assert today == clicks._rate_key(IP)  # stable within the day: the limit still works
    time_machine.move_to(noon + timedelta(days=1), tick=True)
    assert clicks._rate_key(IP) != today


@pytest.mark.services("redis")
@pytest.mark.parametrize("background", [True, False], ids=["background", "synchronous"])
def test_no_redis_key_reveals_the_client_address(client, link, noon, settings, background):
    # Only the settings fixture here: mixed with @override_settings its teardown order
    # would leave the overridden settings in place for later tests.
    settings.REDIRECT_RATE_LIMIT = 5
    settings.CLICK_BACKGROUND_PUSH = background
    visit(client, link.code, ip=IP)
    assert clicks.pump.wait_idle()
    shared = redis.Redis.from_url(settings.CLICK_BUFFER_URL)
    keys = [key.decode() for key in shared.scan_iter("portal:rl:*")]
    assert len(keys) == 1
    assert hashlib.blake2b(IP.encode(), digest_size=12).hexdigest() not in keys[0]
    assert keys[0].startswith(clicks._rate_key(IP))


def test_the_redirect_works_when_the_salt_cannot_be_stored(client, link, noon, monkeypatch):
    attempts = []

    def broken(**kwargs):
        attempts.append(kwargs["day"])
        raise OperationalError("database is down")

    monkeypatch.setattr(DailySalt.objects, "get_or_create", broken)
    assert visit(client, link.code).status_code == 302
    assert visit(client, link.code).status_code == 302
    assert len(attempts) == 1  # no second wait on a database that just failed
    assert salts._known == {}  # a stand-in only: the real salt is fetched once it works
    monkeypatch.undo()
    later = salts.time.monotonic() + salts.RETRY_SECONDS + 1
    monkeypatch.setattr(salts.time, "monotonic", lambda: later)
    assert visit(client, link.code).status_code == 302
    assert DailySalt.objects.count() == 1
    rows = stored_clicks()
    # The stand-in lasted through the outage: the same visitor counted once.
    assert [c.is_unique for c in rows] == [True, False, True]
    assert rows[0].visitor_hash == rows[1].visitor_hash != rows[2].visitor_hash


def test_a_click_at_midnight_is_counted_in_the_new_day(link, noon, time_machine, monkeypatch):
    """The salt of the day the click's time was read in may be gone a moment later."""
    today = timezone.localdate()
    real = clicks.visitor_hash
    calls = []

    def across_midnight(**kwargs):
        calls.append(kwargs["day"])
        if len(calls) == 1:
            raise salts.SaltGone(kwargs["day"].isoformat())
        return real(**kwargs)

    monkeypatch.setattr(clicks, "visitor_hash", across_midnight)
    assert clicks.click_count(link_id=link.pk, ip=IP, user_agent=BROWSER) is True
    assert calls == [today, today]
    assert len(stored_clicks()) == 1
