"""Every table on a page (not in e-mails) sits in the keyboard-focusable scroll wrapper, so
it scrolls sideways on a phone instead of widening the page, and says so to screen readers.
The browser test (browser/test_tables_phone.py) checks the result at 390 px."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

WRAPPER = re.compile(
    r'<div class="table-wrap[^"]*" tabindex="0" role="region" aria-label="[^>]+">\s*<table'
)


def page_templates() -> list[Path]:
    root = Path(settings.BASE_DIR) / "templates"
    return [p for p in root.rglob("*.html") if "email" not in p.relative_to(root).parts]


def test_every_page_table_is_in_the_focusable_scroll_wrapper():
    bare = []
    for path in page_templates():
        text = path.read_text()
        tables = text.count("<table")
        wrapped = len(WRAPPER.findall(text))
        if tables != wrapped:
            bare.append(f"{path.name}: {tables - wrapped} of {tables}")
    assert bare == []
    assert len(page_templates()) > 50  # the scan found the templates
