"""Daily rollups of shares and clicks: building (``build.py``), keeping up to date
(``changes.py``) and reconciling (``reconcile.py``).

Reports read the ``Rollup`` table for whole past days (up to ``RollupState.built_through``,
"the horizon") and the raw rows after it, in the same SQL statement (see
``reporting.activity.activity_sql``). The numbers follow README "How we count" exactly: a rollup day
is built from the same raw sources the reports used before (``counted_shares`` and
``click_sources``), so nothing is counted in a new way.

Keeping them right:

- ``rollups_refresh`` (beat, every few minutes) builds every day that ended (plus a short
  grace for clicks still in flight) and moves the horizon on.
- Changes to days already built are added as they happen, under a lock on the state row:
  clicks stored late (a backlog after a Redis outage, clicks buffered before midnight) from
  ``clicks_store`` (ambassadors/tracking/click_store.py), and shares undone, confirmed
  again or logged for an earlier day from ``sharing``.
- ``rollups_reconcile`` (beat, nightly) rebuilds every built day from the raw rows,
  compares, repairs days that differ and records what it found.
- Retention folding raw clicks into ``ClickDaily`` changes no number, so it leaves the
  rollups alone; a day built from ``ClickDaily`` gives the same figures.
- The ambassador's department is never stored: department figures join the ambassador's
  current department, as before. If ``TIME_ZONE`` changes, readers ignore the rollups until
  they are rebuilt (``manage.py rebuild_rollups``, or the refresh task in steps).
"""
