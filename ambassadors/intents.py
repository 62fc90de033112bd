"""Share-intent URLs for each network. Pure functions, no Django: easy to test and reuse.

Each builder takes the (edited) text and the ambassador's tracked link and returns the URL
the browser opens. ``keep`` is a tail of the text (the disclosure line) that must survive
when a network's length limit forces us to shorten the text.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

X_LIMIT = 280
X_URL_WEIGHT = 23  # X shortens every link to t.co, which counts as 23 characters
BLUESKY_LIMIT = 300
ELLIPSIS = "…"

# Networks whose official share URL takes only the link: the text goes via the clipboard.
LINK_ONLY = frozenset({"linkedin", "facebook"})
# Networks without a share URL: the browser copies or hands over to the device.
NO_INTENT = frozenset({"copy", "native"})

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})+(:\d{{1,5}})?$")
# X counts these code point ranges as 1, everything else (CJK, emoji…) as 2.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _q(value: str) -> str:
    """Percent-encode everything, UTF-8, spaces as %20 (mailto: does not accept '+')."""
    return quote(value, safe="")


def _query(**params: str) -> str:
    return "&".join(f"{key}={_q(value)}" for key, value in params.items())


def x_weight(text: str) -> int:
    """Length as X counts it (twitter-text: most scripts 1, others and emoji 2).

    Counting per code point overestimates emoji sequences, so we shorten a bit early
    rather than late."""
    total = 0
    for char in unicodedata.normalize("NFC", text):
        point = ord(char)
        total += 1 if any(lo <= point <= hi for lo, hi in _X_LIGHT) else 2
    return total


def _joins_previous(char: str, previous: str) -> bool:
    point = ord(char)
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    if point == 0x200D or previous == "\u200d":  # zero-width joiner sequences
        return True
    if 0xFE00 <= point <= 0xFE0F or 0x1F3FB <= point <= 0x1F3FF:  # variation, skin tone
        return True
    return 0xE0020 <= point <= 0xE007F  # tag sequences (flags of regions)


def graphemes(text: str) -> list[str]:
    """User-perceived characters, as Bluesky counts them. A close approximation of
    Unicode's rules that needs no extra package: marks, joiners, modifiers and regional
    indicator pairs stay with their base character."""
    clusters: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        previous = clusters[-1][-1] if clusters else ""
        is_ri = 0x1F1E6 <= ord(char) <= 0x1F1FF
        if clusters and (
            _joins_previous(char, previous)
            or (is_ri and len(clusters[-1]) == 1 and 0x1F1E6 <= ord(clusters[-1]) <= 0x1F1FF)
            or (char == "\n" and previous == "\r")
        ):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _shorten(text: str, budget: int, measure, keep: str = "") -> str:
    """The text if it fits ``budget`` (as ``measure`` counts), else shortened at a word
    boundary with an ellipsis. ``keep`` (a tail of the text) is never cut."""
    if measure(text) <= budget:
        return text
    head, tail = text, ""
    if keep and text.endswith(keep) and measure(keep) + 2 < budget:
        raw = text[: -len(keep)]
        head = raw.rstrip()
        tail = ("\n\n" if "\n" in raw[len(head) :] else " ") + keep
    room = budget - measure(tail) - measure(ELLIPSIS)
    cut, used = "", 0
    for cluster in graphemes(head):
        used += measure(cluster)
        if used > room:
            break
        cut += cluster
    rest = head[len(cut) :]
    if rest and not rest[0].isspace() and re.search(r"\s", cut):
        cut = re.sub(r"\S+$", "", cut)  # do not end in the middle of a word
    cut = cut.rstrip(" \n\t,;:-–")
    if cut.endswith((".", "!", "?")):  # a whole sentence needs no ellipsis
        return f"{cut}{tail}"
    return f"{cut}{ELLIPSIS}{tail}"


def fit_x(text: str, *, keep: str = "") -> str:
    """Text that, with a space and the link, stays within X's 280 characters."""
    return _shorten(text.strip(), X_LIMIT - X_URL_WEIGHT - 1, x_weight, keep)


def fit_bluesky(text: str, url: str, *, keep: str = "") -> str:
    """Bluesky post text including the link, at most 300 graphemes."""
    budget = BLUESKY_LIMIT - len(graphemes(url)) - 1
    body = _shorten(text.strip(), budget, lambda s: len(graphemes(s)), keep)
    return f"{body}\n{url}" if body else url


def with_link(text: str, url: str) -> str:
    text = text.strip()
    return f"{text}\n\n{url}" if text else url


def linkedin(*, url: str) -> str:
    return "https://www.linkedin.com/sharing/share-offsite/?" + _query(url=url)


def facebook(*, url: str) -> str:
    return "https://www.facebook.com/sharer/sharer.php?" + _query(u=url)


def x(*, text: str, url: str, keep: str = "") -> str:
    return "https://x.com/intent/tweet?" + _query(text=fit_x(text, keep=keep), url=url)


def bluesky(*, text: str, url: str, keep: str = "") -> str:
    return "https://bsky.app/intent/compose?" + _query(text=fit_bluesky(text, url, keep=keep))


def threads(*, text: str, url: str) -> str:
    return "https://www.threads.net/intent/post?" + _query(text=with_link(text, url))


def whatsapp(*, text: str, url: str) -> str:
    return "https://wa.me/?" + _query(text=with_link(text, url))


def clean_instance(value: str) -> str:
    """A Mastodon server name (host, optional port), or ValueError. Never a path or a
    scheme we did not choose: the instance is the only part of the URL the user types."""
    host = (value or "").strip().lower().removeprefix("https://").removeprefix("http://")
    host = host.strip("/").removeprefix("@")
    if "@" in host:  # "me@mastodon.social" → the server part
        host = host.rsplit("@", 1)[1]
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"not a server name: {value!r}") from exc
    if not _HOST.match(host):
        raise ValueError(f"not a server name: {value!r}")
    return host


def mastodon(*, text: str, url: str, instance: str) -> str:
    return f"https://{clean_instance(instance)}/share?" + _query(text=with_link(text, url))


def email(*, text: str, url: str, subject: str) -> str:
    """RFC 6068: line breaks in the body are CRLF, everything percent-encoded."""
    body = with_link(text, url).replace("\r\n", "\n").replace("\n", "\r\n")
    return "mailto:?" + _query(subject=subject, body=body)


def intent_url(
    network: str, *, text: str, url: str, subject: str = "", instance: str = "", keep: str = ""
) -> str:
    """The share URL for a network, or "" for copy and the device's share sheet."""
    if network == "linkedin":
        return linkedin(url=url)
    if network == "facebook":
        return facebook(url=url)
    if network == "x":
        return x(text=text, url=url, keep=keep)
    if network == "bluesky":
        return bluesky(text=text, url=url, keep=keep)
    if network == "threads":
        return threads(text=text, url=url)
    if network == "whatsapp":
        return whatsapp(text=text, url=url)
    if network == "mastodon":
        return mastodon(text=text, url=url, instance=instance)
    if network == "email":
        return email(text=text, url=url, subject=subject)
    if network in NO_INTENT:
        return ""
    raise ValueError(f"unknown network {network!r}")
