"""Reporting: the comms reports, their drill-downs, the leaderboard, "my impact" and the
report e-mails. Periods in the organisation's time zone (``periods.py``), the raw sources
and the rollup horizon (``sources.py``), which rollup rows answer a period (``plan.py``),
the hand-written SQL, kept in one place (``sql.py``), activity per key (``activity.py``),
rankings (``ranking.py``, ``leaderboard.py``), participation (``participation.py``), my
impact (``impact.py``), the report tables and CSV exports (``tables.py``,
``exports.py``), the drill-downs (``drilldowns.py``), SVG charts (``charts.py``), report
e-mails (``emails.py``) and the daily rollups (``rollups/``).

Every figure is aggregated in SQL; Python only ever sees one row per line of a table. Two
rules shape the queries:

- A share counts once per (ambassador, item, network) and local day, and undone shares do
  not count: pressing the button twice is one share (see ``activity.activity_sql``).
- Clicks live in two tables: raw ``Click`` rows and ``ClickDaily`` totals for days whose raw
  clicks were purged after the retention period. ``sources.click_sources`` is the one place
  that adds them up, skipping raw clicks of a (link, day) that already has a daily total,
  so a day is never counted twice while the purge runs. Bots never count.

All sources are grouped by the same key and glued with UNION ALL, then summed once more, so
"top items by shares, then clicks" is a single sorted, limited query.
"""
