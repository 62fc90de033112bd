"""The one place where report SQL is written by hand, with f-strings around compiled querysets.

Callers build every piece with the ORM (filters, keys, sums) and hand the querysets here;
this module only glues them into statements the ORM cannot express as one query:

- the activity figures: the UNION ALL of grouped rollup rows, raw shares made distinct per
  (ambassador, item, network, local day) and the two click sources (raw clicks, daily
  totals), grouped again by the same key (`activity_union`), then labelled and sorted
  (`labelled_activity`);
- rankings: window functions (RANK, ROW_NUMBER, a windowed SUM) over those figures
  (`ranked_sql`), and the named people of a drill-down (`visible_people_sql`);
- counts of distinct people over raw rows and rollups together (`distinct_sharers`);
- streamed exports, read in batches from one statement (`fetch_rows`, `share_line_rows`).

Safety: table and column names come only from code (model metadata, quoted with
``connection.ops.quote_name``) and from fixed dimension names; every value is a query
parameter (``%s``). Nothing a user types ever becomes part of the SQL text.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Field, Model, QuerySet
from django.utils.translation import get_language

from ..models import Ambassador, Department, Item, Rollup, User
from .sources import METRICS

BATCH = 2000


def compiled(queryset: QuerySet[Model, Any]) -> tuple[str, list[Any]]:
    """The SQL of `queryset` and its params, to be used as a subquery."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def table(model: type[Model], alias: str) -> str:
    """``"table" alias`` for a FROM or JOIN."""
    return f"{connection.ops.quote_name(model._meta.db_table)} {alias}"


def field_column(model: type[Model], field: str) -> str:
    """The (unquoted) column name of a field of `model`. Raises FieldDoesNotExist for an
    unknown name and LookupError for a name without a column (a reverse relation): names
    come from code, so either is a programming error (before, an AttributeError)."""
    found = model._meta.get_field(field)
    if not isinstance(found, Field) or found.column is None:
        raise LookupError(f"{model.__name__}.{field} has no column")
    return found.column


def column(model: type[Model], field: str, alias: str) -> str:
    """``alias."column"`` of a model field."""
    return f"{alias}.{connection.ops.quote_name(field_column(model, field))}"


def department_name(alias: str) -> str:
    """SQL for a department's name in the active language: the Dutch name where there is one
    for a Dutch reader, else the English name (as ``Department.label``)."""
    name = column(Department, "name", alias)
    if (get_language() or "en")[:2] == "nl":
        return f"COALESCE(NULLIF({column(Department, 'name_nl', alias)}, ''), {name})"
    return name


def fetch_rows(sql: str, params: list[Any], *, batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Rows as dicts, fetched in batches so a long export never sits in memory at once.
    Numbers come back as int on every database (PostgreSQL's SUM gives Decimal)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [described[0] for described in cursor.description]
        while True:
            chunk = cursor.fetchmany(batch)
            if not chunk:
                return
            for values in chunk:
                row = dict(zip(names, values, strict=True))
                for metric in METRICS:
                    if metric in row:
                        row[metric] = int(row[metric] or 0)
                yield row


def activity_union(
    *,
    keys: Sequence[str],
    rolled: QuerySet[Model, Any] | None,
    distinct_shares: QuerySet[Model, Any] | None,
    clicks: Sequence[QuerySet[Model, Any]],
    links: QuerySet[Model, Any] | None = None,
) -> tuple[str, list[Any]]:
    """One row per key with columns ``keys``, shares, clicks, unique_clicks (keys with a
    share or a click only), and its params.

    ``rolled`` and each of ``clicks`` are grouped by the key columns with the metric columns
    m_shares, m_clicks, m_unique; ``distinct_shares`` has the key columns and one row per
    counted share (a DISTINCT values queryset), counted here. With ``links`` (columns lid
    and the keys), ``clicks`` are grouped by link (column lid) instead and get their keys
    from it: the clicks are counted per link before any join, and the join is written so
    that SQLite starts from those counts (a CROSS JOIN keeps its order there and means an
    inner join elsewhere). Otherwise SQLite walks every link of the programme and probes
    its clicks of the day, which costs more than the day's clicks themselves."""
    qn = connection.ops.quote_name
    key_sql = ", ".join(qn(k) for k in keys)
    parts: list[str] = []
    params: list[Any] = []
    links_sql, links_params = compiled(links) if links is not None else ("", [])
    if rolled is not None:
        sql, rolled_params = compiled(rolled)
        parts.append(sql)
        params += rolled_params
    if distinct_shares is not None:
        sql, distinct_params = compiled(distinct_shares)
        parts.append(
            f"SELECT {key_sql}, COUNT(*) AS {qn('m_shares')}, 0 AS {qn('m_clicks')}, "  # noqa: S608 - names from code, values as params
            f"0 AS {qn('m_unique')} FROM ({sql}) distinct_shares GROUP BY {key_sql}"
        )
        params += distinct_params
    for grouped in clicks:
        sql, grouped_params = compiled(grouped)
        if links is not None:
            link_keys = ", ".join(f"l.{qn(k)}" for k in keys)
            sums = ", ".join(f"SUM(c.{qn(m)}) AS {qn(m)}" for m in ("m_clicks", "m_unique"))
            sql = (
                f"SELECT {link_keys}, 0 AS {qn('m_shares')}, {sums} FROM ({sql}) c "  # noqa: S608 - names from code, values as params
                f"CROSS JOIN ({links_sql}) l WHERE l.{qn('lid')} = c.{qn('lid')} "
                f"GROUP BY {link_keys}"
            )
            grouped_params = [*grouped_params, *links_params]
        parts.append(sql)
        params += grouped_params
    union = " UNION ALL ".join(parts)
    statement = (
        f"SELECT {key_sql}, "  # noqa: S608 - names from code, values as params
        f"COALESCE(SUM({qn('m_shares')}), 0) AS shares, "
        f"COALESCE(SUM({qn('m_clicks')}), 0) AS clicks, "
        f"COALESCE(SUM({qn('m_unique')}), 0) AS unique_clicks "
        f"FROM ({union}) activity GROUP BY {key_sql} "
        f"HAVING SUM({qn('m_shares')}) > 0 OR SUM({qn('m_clicks')}) > 0"
    )
    return statement, params


ORDER_BY_SHARES = "t.shares DESC, t.clicks DESC, t.k0"


def labelled_activity(
    sql: str, params: list[Any], *, dimension: str, limit: int | None
) -> tuple[str, list[Any]]:
    """`activity_union`'s rows with a readable label joined for items (title, slug) and
    departments (name), sorted as the tables show them: time ascending, the rest by shares
    then clicks. Returns a new params list."""
    select = ["t.*"]
    joins = ""
    order = ORDER_BY_SHARES
    if dimension in ("item", "item_network"):
        select += [
            f"{column(Item, 'title', 'i')} AS title",
            f"{column(Item, 'slug', 'i')} AS slug",
        ]
        joins = f" LEFT JOIN {table(Item, 'i')} ON {column(Item, 'id', 'i')} = t.k0"
        if dimension == "item_network":
            order = "t.shares DESC, t.clicks DESC, t.k0, t.k1"
    elif dimension == "department":
        name = department_name("d")
        select.append(f"{name} AS name")
        joins = f" LEFT JOIN {table(Department, 'd')} ON {column(Department, 'id', 'd')} = t.k0"
        order = f"t.shares DESC, t.clicks DESC, CASE WHEN {name} IS NULL THEN 1 ELSE 0 END, {name}"
    elif dimension in ("time", "total"):
        order = "t.k0"
    sql = f"SELECT {', '.join(select)} FROM ({sql}) t{joins} ORDER BY {order}"  # noqa: S608 - names from code, values as params
    params = list(params)
    if limit:
        sql += " LIMIT %s"
        params.append(limit)
    return sql, params


def _leavers() -> tuple[str, list[Any]]:
    """SQL for the ids (column k0) of ambassadors out of the programme (opted out, account
    deleted or deactivated), with its params; its table aliases (a_l, u_l) are its own."""
    a, u = "a_l", "u_l"
    sql = (
        f"SELECT {column(Ambassador, 'id', a)} AS k0 FROM {table(Ambassador, a)}"  # noqa: S608 - names from code
        f" LEFT JOIN {table(User, u)} ON {column(User, 'id', u)} = {column(Ambassador, 'user', a)}"
        f" WHERE {column(Ambassador, 'opted_out_at', a)} IS NOT NULL"
        f" OR {column(User, 'id', u)} IS NULL OR {column(User, 'is_active', u)} = %s"
    )
    return sql, [False]


def _people_names() -> tuple[str, str]:
    """The columns and joins that name the people of a ranking (derived table ``ranked``),
    joined for the rows shown only (the top and the viewer)."""
    names = (
        f", {column(Ambassador, 'leaderboard_visible', 'a')} AS visible"
        f", {column(User, 'first_name', 'u')} AS first_name"
        f", {column(User, 'last_name', 'u')} AS last_name"
        f", {column(User, 'display_name', 'u')} AS display_name"
    )
    joins = (
        f" JOIN {table(Ambassador, 'a')} ON {column(Ambassador, 'id', 'a')} = ranked.k0"
        f" JOIN {table(User, 'u')} ON {column(User, 'id', 'u')} = "
        f"{column(Ambassador, 'user', 'a')}"
    )
    return names, joins


def ranked_sql(
    sql: str,
    params: list[Any],
    *,
    dimension: str,
    metric: str,
    limit: int,
    include_key: int | None,
    only_visible: bool = False,
) -> tuple[str, list[Any]]:
    """The ranking of `activity_union`'s rows by `metric` ("shares" or "clicks"; the caller
    checks): columns place (RANK), row_number, in_top and names, the top `limit` rows plus
    `include_key`'s. Raises ValueError for a dimension other than ambassador or department."""
    where = [f"t.{metric} > 0"]
    params = list(params)
    names, name_joins = "", ""
    if dimension == "ambassador":
        # Rank first, name later: only people out of the programme (few) are filtered out
        # before the ranking, and names are joined for the rows shown (the top and the
        # viewer), not for every ranked person; the work grows with the board, not the data.
        leavers, leaver_params = _leavers()
        where.append(f"t.k0 NOT IN ({leavers})")
        params += leaver_params
        if only_visible:
            where.append(
                f"t.k0 IN (SELECT {column(Ambassador, 'id', 'a3')} FROM "  # noqa: S608 - names from code
                f"{table(Ambassador, 'a3')} WHERE "
                f"{column(Ambassador, 'leaderboard_visible', 'a3')} = %s)"
            )
            params.append(True)
        names, name_joins = _people_names()
    elif dimension == "department":
        names = f", {department_name('d')} AS name"
        name_joins = (
            f" JOIN {table(Department, 'd')} ON {column(Department, 'id', 'd')} = ranked.k0"
        )
        where.append(
            f"t.k0 IN (SELECT {column(Department, 'id', 'd2')} "  # noqa: S608 - names from code
            f"FROM {table(Department, 'd2')})"
        )
    else:
        raise ValueError(dimension)
    inner = (
        f"SELECT t.*, RANK() OVER (ORDER BY t.{metric} DESC) AS place, "  # noqa: S608 - names from code, values as params
        f"ROW_NUMBER() OVER (ORDER BY t.{metric} DESC, t.k0) AS row_number "
        f"FROM ({sql}) t WHERE {' AND '.join(where)}"
    )
    counted = (
        "SELECT r.*, SUM(CASE WHEN r.place <= %s THEN 1 ELSE 0 END) OVER () AS in_top "  # noqa: S608 - from code
        f"FROM ({inner}) r"
    )
    outer = (
        f"SELECT ranked.*{names} FROM ({counted}) ranked{name_joins} "  # noqa: S608 - names from code, values as params
        "WHERE ranked.row_number <= %s OR ranked.k0 = %s ORDER BY ranked.place, ranked.k0"
    )
    return outer, [limit, *params, limit, include_key if include_key is not None else -1]


def ranked_on_rows_sql(
    delta_sql: str,
    delta_params: list[Any],
    *,
    grain: str,
    day: date,
    metric: str,
    limit: int,
    include_key: int | None,
) -> tuple[str, list[Any]]:
    """The same ranking of people as `ranked_sql` (same columns and rows), when each person's
    rollup numbers for the period are one row (``Rollup`` kind "a", `grain`, `day`) and
    `delta_sql` (`activity_union` over the raw rows after the horizon) adds the rest.

    The work grows with the board, the day's raw rows and the viewer's place, not with the
    number of people ranked. The candidates are the top `limit` rollup rows, read in order
    from the index on their numbers (``rollup_people_by_shares`` / ``_clicks``), everyone
    with raw activity, and the viewer. Anyone else has only their rollup row, at most the
    last leader's number (and when equal, a later key), so can neither be among the top
    rows nor above one of them: there, ROW_NUMBER and RANK over the candidates are exact.
    The viewer's place below the top and the number of people tied at the last place are
    counts: candidates by their totals, plus an index range count over everyone's rollup
    rows less the candidates' own; the viewer's row number adds those tied with them
    and an earlier key (an index range of one number). People out of the programme are
    never ranked."""
    m = connection.ops.quote_name(field_column(Rollup, metric))
    other = "clicks" if metric == "shares" else "shares"
    leavers, leaver_params = _leavers()
    amb = column(Rollup, "ambassador", "b")
    rollup = table(Rollup, "b")
    on_rows = (
        f"{column(Rollup, 'kind', 'b')} = %s AND {column(Rollup, 'grain', 'b')} = %s"
        f" AND {column(Rollup, 'day', 'b')} = %s"
    )
    row_params: list[Any] = ["a", grain, day]
    names, name_joins = _people_names()
    unique = "0"
    if metric == "clicks":
        unique_column = connection.ops.quote_name(field_column(Rollup, "unique_clicks"))
        unique = f"COALESCE(b.{unique_column}, 0) + COALESCE(d.unique_clicks, 0)"

    def people(condition: str) -> tuple[str, list[Any]]:
        """How many people meet `condition`, a template on ``{total}`` and ``{key}``."""
        by_total = condition.format(total="o.total", key="o.k0")
        by_row = condition.format(total=f"b.{m}", key=amb)
        by_base = condition.format(total="o.base", key="o.k0")
        sql = (
            f"((SELECT COUNT(*) FROM totals o WHERE {by_total})"  # noqa: S608 - names from code
            f" + (SELECT COUNT(*) FROM {rollup} WHERE {on_rows} AND {by_row}"
            f" AND {amb} NOT IN (SELECT k0 FROM leavers))"
            f" - (SELECT COUNT(*) FROM totals o WHERE {by_base}))"
        )
        return sql, row_params

    above, above_params = people("{total} > me.total")
    tied_before, tied_before_params = people("{total} = me.total AND {key} < me.k0")
    tied, tied_params = people("{total} >= k.total")
    sql = (
        f"WITH leavers AS ({leavers}), delta AS ({delta_sql}), "  # noqa: S608 - names from code, values as params
        "candidates AS ("
        f"SELECT leaders.k0 FROM (SELECT {amb} AS k0 FROM {rollup} WHERE {on_rows} AND b.{m} > 0"
        f" AND {amb} NOT IN (SELECT k0 FROM leavers) ORDER BY b.{m} DESC, {amb} LIMIT %s)"
        " leaders UNION SELECT delta.k0 FROM delta UNION SELECT %s), "
        "totals AS ("
        f"SELECT c.k0, COALESCE(b.{m}, 0) AS base, COALESCE(b.{m}, 0) + COALESCE(d.{metric}, 0)"
        f" AS total, {unique} AS unique_clicks"
        f" FROM candidates c LEFT JOIN {rollup} ON {on_rows} AND {amb} = c.k0"
        " LEFT JOIN delta d ON d.k0 = c.k0 WHERE c.k0 NOT IN (SELECT k0 FROM leavers)), "
        "numbered AS (SELECT t.k0, t.total, t.unique_clicks,"
        " RANK() OVER (ORDER BY t.total DESC) AS place,"
        " ROW_NUMBER() OVER (ORDER BY t.total DESC, t.k0) AS row_number"
        " FROM totals t WHERE t.total > 0), "
        # the viewer below the top: counted among everyone, once
        "me AS (SELECT n.k0, n.total FROM numbered n WHERE n.k0 = %s AND n.row_number > %s), "
        f"viewer AS (SELECT {above} AS above, {tied_before} AS tied_before FROM me) "
        f"SELECT ranked.*{names} FROM ("
        f"SELECT n.k0, n.total AS {metric}, 0 AS {other}, n.unique_clicks,"
        " CASE WHEN n.row_number <= %s THEN n.place"
        " ELSE (SELECT 1 + v.above FROM viewer v) END AS place,"
        " CASE WHEN n.row_number <= %s THEN n.row_number"
        " ELSE (SELECT 1 + v.above + v.tied_before FROM viewer v) END AS row_number,"
        f" CASE WHEN %s = 0 THEN 0 ELSE COALESCE((SELECT {tied} FROM numbered k"
        " WHERE k.row_number = %s), (SELECT COUNT(*) FROM numbered)) END AS in_top"
        " FROM numbered n WHERE n.row_number <= %s OR n.k0 = %s"
        f") ranked{name_joins} ORDER BY ranked.place, ranked.k0"
    )
    key = include_key if include_key is not None else -1
    params = [
        *leaver_params,
        *delta_params,
        *row_params,
        limit,
        key,
        *row_params,
        key,
        limit,
        *above_params,
        *tied_before_params,
        limit,
        limit,
        limit,
        *tied_params,
        limit,
        limit,
        key,
    ]
    return sql, params


def visible_people_sql(sql: str, params: list[Any], *, limit: int) -> tuple[str, list[Any]]:
    """`activity_union`'s ambassador rows of people who show their name and are still in
    the programme, with first_name and last_name, most shares (then clicks) first."""
    sql = (
        f"SELECT t.*, {column(User, 'first_name', 'u')} AS first_name, "  # noqa: S608 - names from code
        f"{column(User, 'last_name', 'u')} AS last_name FROM ({sql}) t "
        f"JOIN {table(Ambassador, 'a')} ON {column(Ambassador, 'id', 'a')} = t.k0 "
        f"JOIN {table(User, 'u')} ON {column(User, 'id', 'u')} = "
        f"{column(Ambassador, 'user', 'a')} "
        f"WHERE {column(Ambassador, 'leaderboard_visible', 'a')} = %s "
        f"AND {column(Ambassador, 'opted_out_at', 'a')} IS NULL "
        f"AND {column(User, 'is_active', 'u')} = %s "
        "ORDER BY t.shares DESC, t.clicks DESC, t.k0 LIMIT %s"
    )
    return sql, [*params, True, True, limit]


def distinct_sharers(sources: Sequence[QuerySet[Model, Any]], *, key: str) -> list[tuple[Any, int]]:
    """(key, distinct ``who``) over the UNION ALL of ``sources`` (value querysets with the
    columns ``key`` and ``who``: raw rows and rollups), so a person counts once per key even
    when both sources hold them."""
    parts, params = [], []
    for queryset in sources:
        sql, part_params = compiled(queryset)
        parts.append(sql)
        params += part_params
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {qn(key)}, COUNT(DISTINCT {qn('who')}) FROM "  # noqa: S608 - names from code
        f"({' UNION ALL '.join(parts)}) sharers GROUP BY {qn(key)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(value, int(n)) for value, n in cursor.fetchall()]


def share_line_rows(
    parts: Sequence[QuerySet[Model, Any]], *, batch: int = BATCH
) -> Iterator[tuple[Any, ...]]:
    """The rows of the UNION ALL of ``parts`` (values_list querysets with the same six
    columns: day, title, network, department, presses, ambassador), sorted by every column
    but presses, streamed in batches from one statement."""
    compiled_parts = [compiled(part) for part in parts]
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part}) p{n}"  # noqa: S608 - compiled querysets
        for n, (part, _p) in enumerate(compiled_parts)
    )
    params = [param for _part, part_params in compiled_parts for param in part_params]
    sql = f"SELECT * FROM ({sql}) lines ORDER BY 1, 2, 3, 4, 6"  # noqa: S608 - from code
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(batch):
            yield from chunk


def cells_union(parts: Sequence[QuerySet[Model, Any]]) -> tuple[str, list[Any]]:
    """The rollups' cells: the UNION ALL of ``parts`` (value querysets with columns d, a, i,
    n, s, p, c, u) summed per (d, a, i, n)."""
    qn = connection.ops.quote_name
    sqls, params = [], []
    for queryset in parts:
        sql, part_params = compiled(queryset)
        sqls.append(sql)
        params += part_params
    cols = ", ".join(qn(c) for c in "dain")
    sums = ", ".join(f"SUM({qn(c)}) AS {qn(c)}" for c in "spcu")
    union = " UNION ALL ".join(sqls)
    sql = f"SELECT {cols}, {sums} FROM ({union}) cells GROUP BY {cols}"  # noqa: S608 - names from code
    return sql, params
