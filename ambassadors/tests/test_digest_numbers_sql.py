"""The digest's two raw-SQL numbers (ambassadors/mail/digests/numbers_sql.py), once per
database: the SQL is written by hand, so each dialect runs it. One test runs on the
database at hand (SQLite on a laptop); the other insists on PostgreSQL under the services
environment (``DATABASE_URL``)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ambassadors.mail.digests.numbers_sql import item_share_counts, share_histogram
from ambassadors.mail.digests.selection import _distinct_shares
from ambassadors.models import Item
from ambassadors.reporting.periods import month_so_far, report_tz
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory, ShareFactory

# Wednesday 25 November 2026: the week's shares fall in the same month.
NOW = datetime(2026, 11, 25, 11, 0, tzinfo=UTC)


def numbers(now):
    first = ItemFactory(status=Item.Status.PUBLISHED, publish_at=now - timedelta(days=20))
    second = ItemFactory(status=Item.Status.PUBLISHED, publish_at=now - timedelta(days=20))
    keen, other, quiet = AmbassadorFactory(), AmbassadorFactory(), AmbassadorFactory()
    AmbassadorFactory()  # no shares: not in the histogram
    for day in (1, 2, 3):
        ShareFactory(ambassador=keen, item=first, created_at=now - timedelta(days=day))
    # Twice on one day is one share, as in the reports.
    ShareFactory(ambassador=keen, item=first, created_at=now - timedelta(days=1))
    ShareFactory(ambassador=other, item=second, created_at=now - timedelta(days=1))
    ShareFactory(ambassador=quiet, item=second, created_at=now - timedelta(days=2))
    ShareFactory(ambassador=quiet, item=first, created_at=now - timedelta(hours=2), undone_at=now)
    week = _distinct_shares(start=now - timedelta(days=7), end=now)
    counts = item_share_counts(shares=week, limit=5)
    top = item_share_counts(shares=week, limit=1)
    month = month_so_far(today=timezone.localdate(now, report_tz()))
    return counts, top, share_histogram(month=month), (first.pk, second.pk)


def check(now):
    counts, top, histogram, (first, second) = numbers(now)
    assert counts == [(first, 3), (second, 2)]
    assert top == [(first, 3)]
    assert histogram == {3: 1, 1: 2}


@pytest.mark.django_db
def test_digest_numbers_on_the_database_at_hand(now):
    """SQLite in a plain run, PostgreSQL in the services run: CI runs both."""
    check(now)


@pytest.mark.services("postgres")
@pytest.mark.django_db
def test_digest_numbers_on_postgresql(now):
    assert connection.vendor == "postgresql"
    check(now)
