"""Link previews: what a pasted link says about itself (Open Graph, Twitter card, <title>).

Order of preference, as LinkedIn and Slack read them: ``og:*`` first, then ``twitter:*``,
then ``<title>`` and ``<meta name="description">``. Only the document head is read (at most
``MAX_BYTES``), through the safe fetcher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..fetching import FetchError, fetch
from .parsing import plain_text

MAX_BYTES = 1024 * 1024
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)


@dataclass
class LinkPreview:
    url: str
    title: str
    summary: str
    picture_url: str
    site_name: str


class _HeadParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").strip().lower()
            if key and "content" in values and key not in self.meta:
                self.meta[key] = values["content"].strip()
        elif tag == "title":
            self._in_title = True
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and not self.done:
            self.title_parts.append(data)


def _decode(content: bytes, charset: str | None) -> str:
    if not charset:
        match = META_CHARSET.search(content[:4096])
        charset = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return content.decode(charset, errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")


def link_preview(*, url: str) -> LinkPreview:
    """Fetches ``url`` and returns its preview data (plain text; the picture as an absolute
    http(s) address or ""). Raises FetchError (with a message for comms) when the page
    cannot be fetched or is not a web page."""
    response = fetch(url, max_bytes=MAX_BYTES, accept="text/html, application/xhtml+xml")
    if response.content_type not in ("text/html", "application/xhtml+xml", ""):
        raise FetchError(_("This link is not a web page, so it has no preview."))
    parser = _HeadParser()
    parser.feed(_decode(response.content, response.charset))
    meta = parser.meta

    def first(*keys: str) -> str:
        return next((meta[k] for k in keys if meta.get(k)), "")

    title = plain_text(first("og:title", "twitter:title") or "".join(parser.title_parts))
    summary = plain_text(first("og:description", "twitter:description", "description"))
    picture = first(
        "og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"
    )
    picture = urljoin(response.url, picture) if picture else ""
    if urlsplit(picture).scheme not in ("http", "https"):
        picture = ""
    site_name = plain_text(first("og:site_name")) or (urlsplit(response.url).hostname or "")
    return LinkPreview(
        url=response.url,
        title=Truncator(title).chars(200),
        summary=Truncator(summary).chars(600),
        picture_url=picture[:1000],
        site_name=site_name[:100],
    )
