"""Content sources and monitoring: feeds in, watched terms, the ideas inbox, link previews.

- ``parsing``: feed bytes → plain entries (feedparser), canonical URLs and dedup keys;
- ``polling``: one source checked (conditional request, clear per-source messages), and the
  dispatcher that finds sources that are due;
- ``monitoring``: watched terms, highlighting and the alert e-mail to comms;
- ``inbox``: the ideas inbox (entries and suggestions in one list), drafting and dismissing;
- ``previews``: Open Graph / Twitter card / <title> data of a pasted link.

Every request goes through ``ambassadors.fetching``.
"""
