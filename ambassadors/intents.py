"""Share-intent URLs for each network, and how long a post may be there. Pure functions, no
Django: easy to test and reuse. ``static/js/sharing.js`` mirrors the counting for the live
counter on the item page; keep the two in step (the server is the one that shortens).

Each builder takes the (edited) text and the ambassador's tracked link and returns the URL
the browser opens. ``keep`` is a tail of the text (the disclosure line) that must survive
when a network's length limit forces us to shorten the text.

Limits and how each network counts (checked 2026-11):

- X: 280, weighted as twitter-text v3 does (most Latin, Greek, Cyrillic… 1, CJK and other
  scripts 2, every emoji 2, every link, also one inside the text, 23). We use the maintained
  ``twitter-text-parser`` port of X's own library.
- Bluesky: 300 graphemes (user-perceived characters), the link included as typed.
- Threads: 500 characters, the link included.
- Mastodon: 500 characters (the server default), every link counts as 23.
- LinkedIn: 3,000 characters, the link in the text included.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote, urlsplit

import regex
from twitter_text import parse_tweet

X_LIMIT = 280
X_URL_WEIGHT = 23  # X shortens every link to t.co, which counts as 23 characters
BLUESKY_LIMIT = 300
THREADS_LIMIT = 500
MASTODON_LIMIT = 500
MASTODON_URL_WEIGHT = 23  # Mastodon counts every link as 23, whatever its length
LINKEDIN_LIMIT = 3000
ELLIPSIS = "…"

# The most a post may hold per network, with the link. Networks not listed have no limit
# worth counting (WhatsApp, e-mail, copy, the share sheet) or take only the link (Facebook).
POST_LIMITS: dict[str, int] = {
    "x": X_LIMIT,
    "bluesky": BLUESKY_LIMIT,
    "threads": THREADS_LIMIT,
    "mastodon": MASTODON_LIMIT,
    "linkedin": LINKEDIN_LIMIT,
}

# LinkedIn: the feed composer takes the text (with the link inside); the official
# share-offsite URL takes only the link. Comms pick one in the site settings.
LINKEDIN_COMPOSER = "composer"
LINKEDIN_OFFSITE = "offsite"

# Networks whose share URL takes only the link: the text goes via the clipboard.
LINK_ONLY = frozenset({"facebook"})
# Networks without a share URL: the browser copies or hands over to the device.
NO_INTENT = frozenset({"copy", "native"})

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})+(:\d{{1,5}})?$")
# Links as Mastodon finds them in a post (scheme required).
_URL = re.compile(r"https?://[^\s<>\"…]+", re.IGNORECASE)
# X counts these code point ranges as 1, everything else (CJK, emoji…) as 2.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
_PROFILE_PATH = re.compile(r"^/@[A-Za-z0-9_]{1,30}/?$")


def link_only(network: str, *, linkedin_mode: str = LINKEDIN_COMPOSER) -> bool:
    """Whether the network's share URL drops the text (so the text goes via the clipboard)."""
    if network == "linkedin":
        return linkedin_mode == LINKEDIN_OFFSITE
    return network in LINK_ONLY


def _q(value: str) -> str:
    """Percent-encode everything, UTF-8, spaces as %20 (mailto: does not accept '+')."""
    return quote(value, safe="")


def _query(**params: str) -> str:
    return "&".join(f"{key}={_q(value)}" for key, value in params.items())


def x_weight(text: str) -> int:
    """Length as X counts it (twitter-text v3): links, also bare ones like example.com,
    count 23; emoji 2; CJK and other wide scripts 2; most other characters 1."""
    weighted: int = parse_tweet(unicodedata.normalize("NFC", text)).weightedLength
    return weighted


def mastodon_length(text: str) -> int:
    """Length as Mastodon counts it: characters (code points), every http(s) link 23."""
    text = unicodedata.normalize("NFC", text)
    return len(_URL.sub("x" * MASTODON_URL_WEIGHT, text))


def plain_length(text: str) -> int:
    """Characters (code points, Unicode normalised so é is one): Threads and LinkedIn."""
    return len(unicodedata.normalize("NFC", text))


_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> list[str]:
    """User-perceived characters (Unicode extended grapheme clusters, UAX #29), as
    Bluesky counts them and as the browser's Intl.Segmenter splits them: flags, skin
    tones, family emoji and accented letters are one each."""
    return _GRAPHEME.findall(unicodedata.normalize("NFC", text))


def grapheme_length(text: str) -> int:
    """Number of user-perceived characters (Bluesky's count)."""
    return len(graphemes(text))


def _largest(count: int, fits: Callable[[int], bool]) -> int:
    """The largest k in 0..count with fits(k), for a fits that turns False once and stays
    False (binary search: a few measurements, whatever the length)."""
    low, high = 0, count
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low


def _with_ellipsis(cut: str) -> str:
    if cut.endswith((".", "!", "?")):  # a whole sentence needs no ellipsis
        return cut
    last = cut.rsplit(None, 1)[-1] if cut.strip() else ""
    # After a link the ellipsis gets a space, or it would become part of the link.
    return f"{cut} {ELLIPSIS}" if _URL.fullmatch(last) else f"{cut}{ELLIPSIS}"


def shorten(text: str, fits: Callable[[str], bool], *, keep: str = "") -> str:
    """The text if ``fits(text)``, else its longest start that fits, cut at a word boundary
    (never inside a word or a link) and ended with an ellipsis. ``keep`` (a tail of the
    text, e.g. the disclosure line) is never cut. A single word longer than the room is
    cut between characters. Returns "" when not even the ellipsis fits."""
    text = text.strip()
    if fits(text):
        return text
    head, tail = text, ""
    if keep and text.endswith(keep) and fits(f"{ELLIPSIS} {keep}"):
        raw = text[: -len(keep)]
        head = raw.rstrip()
        tail = ("\n\n" if "\n" in raw[len(head) :] else " ") + keep
    tokens = re.findall(r"\s+|\S+", head)

    def words(k: int) -> str:
        return "".join(tokens[:k]).rstrip(" \n\t,;:-–")

    count = _largest(len(tokens), lambda k: fits(_with_ellipsis(words(k)) + tail))
    cut = words(count)
    if not cut.strip():  # the first word alone is too long: cut between characters
        clusters = graphemes(head)
        count = _largest(
            len(clusters), lambda k: fits("".join(clusters[:k]).rstrip() + ELLIPSIS + tail)
        )
        cut = "".join(clusters[:count]).rstrip()
        if not cut:
            return tail.strip() if fits(tail.strip()) else ""
    return _with_ellipsis(cut) + tail


# --- The post each network gets: the text and the link, as the intent composes them ---------


def compose(network: str, text: str, url: str) -> str:
    """The post as it appears in the network's composer: X adds the link after a space,
    Bluesky on the next line, the others after an empty line."""
    text = text.strip()
    if not text:
        return url
    if network == "x":
        return f"{text} {url}"
    if network == "bluesky":
        return f"{text}\n{url}"
    return f"{text}\n\n{url}"


_MEASURES: dict[str, Callable[[str], int]] = {
    "x": x_weight,
    "bluesky": grapheme_length,
    "threads": plain_length,
    "mastodon": mastodon_length,
    "linkedin": plain_length,
}


def _measure_post(network: str, text: str, url: str) -> int:
    if network == "x":  # X always turns the url parameter into a 23-character t.co link
        text = text.strip()
        return x_weight(text) + 1 + X_URL_WEIGHT if text else X_URL_WEIGHT
    return _MEASURES.get(network, plain_length)(compose(network, text, url))


def post_length(network: str, text: str, url: str) -> int:
    """How long the whole post (text and link) is as the network counts it; for networks
    without a limit, its characters."""
    return _measure_post(network, text, url)


def fit(network: str, text: str, url: str, *, keep: str = "") -> str:
    """The text, shortened at a word boundary if the post (text and link) would exceed the
    network's limit (``POST_LIMITS``); unchanged for networks without a limit."""
    limit = POST_LIMITS.get(network)
    if limit is None:
        return text.strip()
    return shorten(text, lambda body: _measure_post(network, body, url) <= limit, keep=keep)


def fit_x(text: str, *, url: str = "https://x.co/" + "a" * 10, keep: str = "") -> str:
    """Text that, with a space and the link, stays within X's 280 weighted characters."""
    return fit("x", text, url, keep=keep)


def fit_bluesky(text: str, url: str, *, keep: str = "") -> str:
    """Bluesky post text including the link, at most 300 graphemes."""
    return compose("bluesky", fit("bluesky", text, url, keep=keep), url)


def add_disclosure(text: str, disclosure: str) -> str:
    """The text with the disclosure line (e.g. "#employee") after an empty line, unless the
    text already contains it (then unchanged, so it never shows twice). The result ends with
    ``disclosure`` whenever it was added, so ``shorten(keep=disclosure)`` never cuts it."""
    text = (text or "").strip()
    disclosure = (disclosure or "").strip()
    if not disclosure or disclosure in text:
        return text
    return f"{text}\n\n{disclosure}" if text else disclosure


def with_link(text: str, url: str) -> str:
    """The text, an empty line and the link (what copy, e-mail and WhatsApp send)."""
    return compose("copy", text, url)


# --- Intent URLs ----------------------------------------------------------------------------


def linkedin(*, url: str, text: str = "", keep: str = "", mode: str = LINKEDIN_COMPOSER) -> str:
    """LinkedIn's feed composer with the text and the link filled in (unofficial but widely
    used; LinkedIn builds the preview from the link in the text), or, with
    ``mode=LINKEDIN_OFFSITE``, the official share-offsite URL that takes the link only."""
    if mode == LINKEDIN_OFFSITE:
        return "https://www.linkedin.com/sharing/share-offsite/?" + _query(url=url)
    post = compose("linkedin", fit("linkedin", text, url, keep=keep), url)
    return "https://www.linkedin.com/feed/?" + _query(shareActive="true", text=post)


def facebook(*, url: str) -> str:
    return "https://www.facebook.com/sharer/sharer.php?" + _query(u=url)


def x(*, text: str, url: str, keep: str = "") -> str:
    return "https://x.com/intent/tweet?" + _query(text=fit("x", text, url, keep=keep), url=url)


def bluesky(*, text: str, url: str, keep: str = "") -> str:
    return "https://bsky.app/intent/compose?" + _query(text=fit_bluesky(text, url, keep=keep))


def threads(*, text: str, url: str, keep: str = "") -> str:
    post = compose("threads", fit("threads", text, url, keep=keep), url)
    return "https://www.threads.com/intent/post?" + _query(text=post)


def whatsapp(*, text: str, url: str) -> str:
    return "https://wa.me/?" + _query(text=with_link(text, url))


def clean_instance(value: str) -> str:
    """A Mastodon server name (lower case host, optional port), or ValueError.

    One rule for the preferences and the share button. Accepted: ``mastodon.social``,
    ``https://Hachyderm.io/``, a profile link ``https://Fosstodon.org/@dirk`` and an address
    ``@dirk@fosstodon.org``. Never a path or a scheme we did not choose: the server is the
    only part of the URL the user types."""
    raw = (value or "").strip()
    host = raw
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.scheme.lower() not in ("http", "https") or parts.query or parts.fragment:
            raise ValueError(f"not a server name: {value!r}")
        if parts.path not in ("", "/") and not _PROFILE_PATH.match(parts.path):
            raise ValueError(f"not a server name: {value!r}")
        host = parts.netloc
    elif "/" in raw.strip("/"):
        first, _sep, path = raw.partition("/")
        if not _PROFILE_PATH.match("/" + path):
            raise ValueError(f"not a server name: {value!r}")
        host = first
    host = host.strip("/").lower().removeprefix("@")
    if "@" in host:  # "me@mastodon.social" → the server part
        host = host.rsplit("@", 1)[1]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"not a server name: {value!r}") from exc
    if not _HOST.match(host):
        raise ValueError(f"not a server name: {value!r}")
    return host


def mastodon(*, text: str, url: str, instance: str, keep: str = "") -> str:
    post = compose("mastodon", fit("mastodon", text, url, keep=keep), url)
    return f"https://{clean_instance(instance)}/share?" + _query(text=post)


def email(*, text: str, url: str, subject: str) -> str:
    """RFC 6068: line breaks in the body are CRLF, everything percent-encoded."""
    body = with_link(text, url).replace("\r\n", "\n").replace("\n", "\r\n")
    return "mailto:?" + _query(subject=subject, body=body)


def intent_url(
    network: str,
    *,
    text: str,
    url: str,
    subject: str = "",
    instance: str = "",
    keep: str = "",
    linkedin_mode: str = LINKEDIN_COMPOSER,
) -> str:
    """The share URL for a network, or "" for copy and the device's share sheet. Raises
    ValueError for an unknown network or a Mastodon server that is not a server name."""
    if network == "linkedin":
        return linkedin(url=url, text=text, keep=keep, mode=linkedin_mode)
    if network == "facebook":
        return facebook(url=url)
    if network == "x":
        return x(text=text, url=url, keep=keep)
    if network == "bluesky":
        return bluesky(text=text, url=url, keep=keep)
    if network == "threads":
        return threads(text=text, url=url, keep=keep)
    if network == "whatsapp":
        return whatsapp(text=text, url=url)
    if network == "mastodon":
        return mastodon(text=text, url=url, instance=instance, keep=keep)
    if network == "email":
        return email(text=text, url=url, subject=subject)
    if network in NO_INTENT:
        return ""
    raise ValueError(f"unknown network {network!r}")
