"""Tracking: what happens after a share. Tracked links and their codes (``links.py``),
counting a click at the redirect without slowing it (``clicks.py``, the Redis buffer and
its flush), storing and folding clicks (``click_store.py``), person or bot (``bots.py``),
the daily salt of the visitor hash (``salts.py``) and the fixed-window rate limit
(``ratelimit.py``)."""
