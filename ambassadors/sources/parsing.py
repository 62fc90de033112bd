"""Feed bytes → plain entries, with clear words for what is wrong with a feed.

No Django models here: this is pure logic over ``feedparser`` (6.x, which copes with RSS 0.9x,
1.0 and 2.0 and Atom, guesses encodings and undoes HTML escaping) plus our dedup keys.
"""

from __future__ import annotations

import html
import re
import xml.sax
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import nh3
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_ENTRIES = 200
TITLE_LENGTH = 300
SUMMARY_LENGTH = 1200
# Query parameters that only say where a click came from: the same story with other values
# is the same story (utm_* from Google Analytics' campaign URL builder, plus the click ids
# of the big ad networks and newsletter tools).
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "_hsenc"}
IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)


class FeedProblem(Exception):
    """The content is not a feed we can read; ``message`` says why, for comms."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ParsedEntry:
    title: str
    summary: str
    link: str
    guid: str
    picture_url: str
    published_at: datetime | None


@dataclass
class ParsedFeed:
    entries: list[ParsedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str = ""


def plain_text(value: str) -> str:
    """HTML (or escaped HTML) → one paragraph of plain text, whitespace collapsed."""
    if not value:
        return ""
    text = nh3.clean(value, tags=set())
    text = html.unescape(text)
    return " ".join(text.split())


def _http_url(value: str | None, *, base: str = "") -> str:
    if not value:
        return ""
    url = urljoin(base, value.strip()) if base else value.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return url[:1000]


def canonical_url(url: str) -> str:
    """The key that makes one story one entry, whichever feed or poll brought it: scheme and
    host lower case, default port, fragment and tracking parameters (``utm_*`` and
    ``TRACKING_PARAMS``) dropped, other parameters sorted, http and https the same, and a
    trailing slash ignored. "" for anything that is not an http(s) address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().rstrip(".")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https", host, path, urlencode(query), ""))[:1000]


def guid_key(guid: str, *, source_id: int) -> str:
    """GUIDs that are URIs (``https://…``, ``tag:…``, ``urn:uuid:…``) are unique worldwide and
    dedupe across sources; bare ones such as ``123`` are only unique within their feed."""
    guid = guid.strip()
    if not guid:
        return ""
    if ":" in guid:
        return guid[:600]
    return f"source-{source_id}:{guid}"[:600]


def _date(entry: Any, now: datetime) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        year, month, day, hour, minute, second = parsed[:6]
        value = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    # A date in the future (an event announcement, a wrong clock) would pin the entry on top.
    return min(value, now) if value > now + timedelta(minutes=5) else value


def _picture(entry: Any, base: str) -> str:
    for media in entry.get("media_content") or []:
        medium, mime = media.get("medium", ""), media.get("type", "")
        if medium == "image" or mime.startswith("image/"):
            url = _http_url(media.get("url"), base=base)
            if url:
                return url
    for thumb in entry.get("media_thumbnail") or []:
        url = _http_url(thumb.get("url"), base=base)
        if url:
            return url
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and (link.get("type") or "").startswith("image/"):
            url = _http_url(link.get("href"), base=base)
            if url:
                return url
    for content in [*(entry.get("content") or []), {"value": entry.get("summary", "")}]:
        match = IMG_SRC.search(content.get("value") or "")
        if match:
            url = _http_url(html.unescape(match.group(1)), base=base)
            if url:
                return url
    return ""


def _summary(entry: Any) -> str:
    text = plain_text(entry.get("summary") or "")
    if not text:
        for content in entry.get("content") or []:
            text = plain_text(content.get("value") or "")
            if text:
                break
    return Truncator(text).chars(SUMMARY_LENGTH)


def _not_a_feed(content: bytes, content_type: str) -> bool:
    return content_type in ("text/html", "application/xhtml+xml") or bool(
        HTML_START.match(content[:2048])
    )


def feed_parse(
    *, content: bytes, content_type: str = "", url: str = "", now: datetime | None = None
) -> ParsedFeed:
    """Parses a fetched feed. Raises FeedProblem when nothing usable is in it (an empty body,
    a web page, broken XML); smaller faults (wrong encoding, entries without a link or date,
    too many entries) come back as ``warnings`` and the entries are still used.

    Dates are UTC; an entry without a date gets ``published_at=None`` (the inbox then uses the
    moment we found it)."""
    now = now or datetime.now(UTC)
    if not content.strip():
        raise FeedProblem(_("The feed is empty."))
    headers = {"content-type": content_type or "application/xml"}
    if url:
        headers["content-location"] = url
    parsed = feedparser.parse(content, response_headers=headers, sanitize_html=True)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.version and not parsed.entries:
        if _not_a_feed(content, content_type):
            raise FeedProblem(
                _(
                    "This address gives a web page, not a feed. Look on that page for the "
                    "RSS or Atom link and use that address."
                )
            )
        if isinstance(problem, xml.sax.SAXParseException):
            raise FeedProblem(
                _("The feed is broken: %(error)s (line %(line)s).")
                % {"error": problem.getMessage(), "line": problem.getLineNumber()}
            )
        if problem is not None and "encoding" in type(problem).__name__.lower():
            raise FeedProblem(_("We cannot read the text of this feed: its encoding is wrong."))
        raise FeedProblem(_("This is not an RSS or Atom feed we can read."))
    result = ParsedFeed(title=plain_text(parsed.feed.get("title", "")))
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        result.warnings.append(
            _("The feed says its text is in one encoding but uses another. We read it as %(enc)s.")
            % {"enc": parsed.get("encoding", "?")}
        )
    elif isinstance(problem, feedparser.CharacterEncodingUnknown):
        result.warnings.append(_("The feed does not say how its text is encoded. We guessed."))
    elif isinstance(problem, xml.sax.SAXParseException):
        result.warnings.append(
            _("The feed has errors (%(error)s, line %(line)s). We read what we could.")
            % {"error": problem.getMessage(), "line": problem.getLineNumber()}
        )
    entries = parsed.entries
    if len(entries) > MAX_ENTRIES:
        result.warnings.append(
            _("The feed has %(count)s entries. We only read the first %(max)s.")
            % {"count": len(entries), "max": MAX_ENTRIES}
        )
        entries = entries[:MAX_ENTRIES]
    base = url
    no_link = no_date = unusable = 0
    for entry in entries:
        link = _http_url(entry.get("link"), base=base)
        summary = _summary(entry)
        title = plain_text(entry.get("title") or "")
        if not title:
            title = Truncator(summary).words(12) if summary else link
        if not title:
            unusable += 1
            continue
        published = _date(entry, now)
        no_link += not link
        no_date += published is None
        result.entries.append(
            ParsedEntry(
                title=Truncator(title).chars(TITLE_LENGTH),
                summary=summary,
                link=link,
                guid=(entry.get("id") or "").strip(),
                picture_url=_picture(entry, base),
                published_at=published,
            )
        )
    if isinstance(problem, xml.sax.SAXParseException) and not result.entries:
        raise FeedProblem(
            _("The feed is broken: %(error)s (line %(line)s).")
            % {"error": problem.getMessage(), "line": problem.getLineNumber()}
        )
    if no_link:
        result.warnings.append(
            ngettext("%(count)s entry has no link.", "%(count)s entries have no link.", no_link)
            % {"count": no_link}
        )
    if no_date:
        result.warnings.append(
            ngettext(
                "%(count)s entry has no date. We used the moment we found it.",
                "%(count)s entries have no date. We used the moment we found them.",
                no_date,
            )
            % {"count": no_date}
        )
    if unusable:
        result.warnings.append(
            ngettext(
                "%(count)s entry has no title, text or link. We skipped it.",
                "%(count)s entries have no title, text or link. We skipped them.",
                unusable,
            )
            % {"count": unusable}
        )
    return result
