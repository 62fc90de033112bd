"""``{place}``, ``{time}``, ``{what}``: blanks in prepared crisis texts, filled on the day.

Pure functions, no Django: a scenario's texts go in, the names or the filled texts come out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]{0,39})\}")


class MissingPlaceholders(ValueError):
    """Some blanks were left empty; ``names`` lists them in the order they appear."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def placeholder_names(texts: Iterable[str]) -> list[str]:
    """Distinct names in order of first appearance: ``{place}`` → ``place``. Braces around
    anything else (``{Place}``, ``{ }``) are left as they are."""
    seen: dict[str, None] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text or ""):
            seen.setdefault(match.group(1), None)
    return list(seen)


def placeholders_fill(text: str, values: Mapping[str, str]) -> str:
    """Every ``{name}`` replaced by its value, stripped. Raises ``MissingPlaceholders``
    when a name has no value or only spaces: a crisis text must never go out with a blank."""
    missing = [name for name in placeholder_names([text]) if not (values.get(name) or "").strip()]
    if missing:
        raise MissingPlaceholders(missing)
    return PLACEHOLDER.sub(lambda m: values[m.group(1)].strip(), text or "")
