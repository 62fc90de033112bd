"""Publishing: writing, reviewing and publishing items. The shared rules and errors
(``rules.py``), writing items (``items.py``), the workflow steps (``workflow.py``), reviewed
edits of live items (``revisions.py``), slugs (``slugs.py``) and the content calendar with
its private iCalendar feed (``calendar.py``)."""
