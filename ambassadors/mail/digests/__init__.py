"""The weekly digest: when it is due (``schedule.py``), what each person gets
(``selection.py``, with the two raw-SQL numbers isolated in ``numbers_sql.py``) and sending
a batch exactly once (``sending.py``).

Flow (DESIGN.md, Flow 5): beat → ``digest_dispatch`` (every 15 minutes) finds ambassadors
whose weekday and send hour have come in their own time zone and who have no delivery for
that ISO week, and fans them out in batches. ``digest_batch_send`` builds the batch's content
with a fixed number of queries, claims the deliveries in one insert, sends over one SMTP
connection and marks them in one update."""
