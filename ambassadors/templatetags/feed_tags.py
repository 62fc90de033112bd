"""Template helpers for feed cards."""

import re

from django import template
from django.utils.text import Truncator

register = template.Library()

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Block markers only at the start of a line (after indentation): "10 to 4." or "5 - 10" in
# a sentence are words, not a list.
_MARKUP = re.compile(
    r"^([ \t]*)(#{1,6}|>|[-*+]|\d+\.)[ \t]+|\*+|`+|~~|(?<!\w)_+|_+(?!\w)", re.MULTILINE
)


@register.filter
def excerpt(markdown_text: str, words: int = 30) -> str:
    """The first words of a Markdown text as plain text. Rendering full Markdown for
    every card cost more than the whole database work of the feed; this is a regex.
    The result is plain text and is escaped by the template as usual."""
    text = _LINK.sub(r"\1", markdown_text or "")
    text = _MARKUP.sub(lambda m: m.group(1) or "", text)
    return Truncator(" ".join(text.split())).words(int(words))
