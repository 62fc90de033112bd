"""How long a share text is as each network counts it, and how much room a post has.

Shared by the studio form (server-side check) and mirrored in static/js/studio.js (the live
counter); keep the two in step.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings

from . import intents
from .models import Network
from .tracking.links import CODE_LENGTH

# What a post may hold. X and Bluesky are hard limits of the network; the others are what
# the network allows or what still reads well in a mail or chat.
SHARE_TEXT_LIMITS: dict[str, int] = {
    Network.X: 280,
    Network.BLUESKY: 300,
    Network.THREADS: 500,
    Network.MASTODON: 500,
    Network.LINKEDIN: 3000,
    Network.FACEBOOK: 5000,
    Network.WHATSAPP: 4000,
    Network.EMAIL: 4000,
    Network.COPY: 4000,
    Network.NATIVE: 4000,
}
X_LINK_LENGTH = 23


def share_text_length(*, text: str, network: str) -> int:
    """Length as the network counts it (see ``intents``): X weighs with twitter-text (links
    23, emoji and wide characters 2), Mastodon counts links as 23, Bluesky counts
    graphemes; the rest count characters (Unicode normalised, so é is one)."""
    text = unicodedata.normalize("NFC", text)
    if network == Network.X:
        return intents.x_weight(text)
    if network == Network.MASTODON:
        return intents.mastodon_length(text)
    if network == Network.BLUESKY:
        return intents.grapheme_length(text)
    return len(text)


def sample_link() -> str:
    """A stand-in for the tracked link, as long as the real one will be (SITE_URL + "/s/" +
    the code), for counting a post before the link exists."""
    return settings.SITE_URL + "/s/" + "x" * CODE_LENGTH


def share_text_reserve(*, network: str, disclosure: str) -> int:
    """Room taken by what sharing adds to a text without the disclosure line: an empty line
    and the disclosure, and the tracked link with what joins it to the text (``intents.
    compose``: a space on X, a new line on Bluesky, an empty line elsewhere). Counted so
    the whole post fits, not only the suggested words."""
    return share_text_count(text="a", network=network, disclosure=disclosure).used - 1


@dataclass(frozen=True)
class ShareTextCount:
    used: int
    limit: int

    @property
    def fits(self) -> bool:
        return self.used <= self.limit


def share_text_count(*, text: str, network: str, disclosure: str) -> ShareTextCount:
    """How long the post made from ``text`` is as ``network`` counts it: the text, the
    disclosure line (added unless the text holds it, as ``sharing.share_intent`` does) and
    the tracked link; and the network's limit (``SHARE_TEXT_LIMITS``)."""
    text = intents.add_disclosure(unicodedata.normalize("NFC", text), disclosure)
    used = intents.post_length(network, text, sample_link())
    return ShareTextCount(used=used, limit=SHARE_TEXT_LIMITS.get(network, 4000))
