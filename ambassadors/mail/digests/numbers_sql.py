"""The two digest numbers that need SQL the ORM cannot write, in one place.

Why raw SQL: both count over a DISTINCT subquery (shares as the reports count them, one per
ambassador, item, network and local day). The ORM cannot group the rows of a DISTINCT
subquery without one query per group, so the compiled queryset is wrapped in a grouped
SELECT here. Only names from code and ``%s`` parameters reach the text; table and column
names are quoted by the connection. Tested on SQLite and on PostgreSQL
(``tests/test_digest_numbers_sql.py``).
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet

from ...models import (
    Ambassador,
    User,
)
from ...reporting.activity import activity_sql
from ...reporting.periods import Period


def item_share_counts(*, shares: QuerySet, limit: int) -> list[tuple[int, int]]:
    """(item id, shares) of the ``limit`` items with the most rows in ``shares`` (a DISTINCT
    ``values()`` queryset with an ``item_id`` column), most first, ties by item id. One query:
    the ORM cannot count over a DISTINCT without one query per group."""
    inner, params = shares.query.sql_with_params()
    sql = (
        f"SELECT item_id, COUNT(*) AS n FROM ({inner}) shares "  # noqa: S608 - compiled ORM SQL
        f"GROUP BY item_id ORDER BY n DESC, item_id LIMIT {int(limit):d}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(item_id), int(n)) for item_id, n in cursor.fetchall()]


def share_histogram(*, month: Period) -> dict[int, int]:
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
