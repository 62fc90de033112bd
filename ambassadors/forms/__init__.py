"""Forms, one module per area, so a newcomer finds them by name: the ambassador pages
(``ambassador.py``: joining, preferences, account deletion, feed filters, sharing), the
studio's items, workflow and settings (``studio.py``) and the report filters
(``reports.py``). Crisis mode keeps its own forms in ``ambassadors/crisis/forms.py``; a few
small filter forms live next to the one view that uses them."""
