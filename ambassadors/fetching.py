"""The one safe fetcher: every outbound request (feeds, link previews, pictures) goes here.

Anyone with studio access can make the server fetch an address of their choice, so this is
where server-side request forgery is stopped (OWASP SSRF prevention cheat sheet):

- http and https only, no user name or password in the address;
- the host name is resolved once and **every** address it resolves to is checked: loopback,
  private, link-local (cloud metadata at 169.254.169.254 included), multicast, reserved,
  shared (100.64/10) and unspecified ranges are refused, IPv6 too, and IPv4 addresses wrapped
  in IPv6 (``::ffff:a.b.c.d``, 6to4, Teredo) are unwrapped and checked as IPv4;
- the connection goes to the address we checked (the Host header and TLS name stay the host
  name), so DNS rebinding between the check and the connect cannot swap it;
- redirects are followed by hand, at most ``MAX_REDIRECTS``, each target checked again;
- a connect timeout, a total time budget, a size limit (also after gzip), a User-Agent that
  names the portal, and no cookies or credentials are ever sent.

``FETCH_ALLOW_LOOPBACK`` (tests only) lets loopback addresses through so tests can run a
local HTTP server; nothing else is ever allowed.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from email.message import Message
from email.utils import collapse_rfc2231_value
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_REDIRECTS = 3
REDIRECT_CODES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}


class FetchError(Exception):
    """The address could not be fetched; ``message`` says why in plain words (shown to comms)
    and ``kind`` is a short code for tests and logs."""

    kind = "error"

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class FetchRefused(FetchError):
    """We will not fetch this address (scheme, credentials or a forbidden network address)."""

    kind = "refused"


class FetchTimeout(FetchError):
    kind = "timeout"


class FetchTooLarge(FetchError):
    kind = "too_large"


class FetchHTTPError(FetchError):
    """The server answered with an error status (4xx, 5xx); ``status`` holds it."""

    kind = "http"


@dataclass
class FetchResponse:
    """``url`` is the final address after redirects; ``headers`` have lower-case names;
    ``content`` is the decoded body (gzip/deflate undone), at most the size limit."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        msg = Message()
        msg["content-type"] = self.headers.get("content-type", "")
        charset = msg.get_param("charset")
        # An RFC 2231 parameter (charset*=utf-8''iso-8859-1) comes back as a tuple.
        return collapse_rfc2231_value(charset) if isinstance(charset, tuple) else charset


def user_agent() -> str:
    return f"AmbassadorPortal/1.0 (+{settings.SITE_URL})"


def _unwrap(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """IPv4 hidden in IPv6 (mapped, 6to4, Teredo, NAT64) is judged as the IPv4 address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
        if ip.teredo is not None:
            return ip.teredo[1]
        if ip in ipaddress.ip_network("64:ff9b::/96"):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def address_allowed(address: str, *, allow_loopback: bool | None = None) -> bool:
    """True when ``address`` (an IPv4 or IPv6 literal) is a public unicast address.

    Rules: Python's ``ipaddress`` registry flags (IANA special-purpose registries, RFC 6890),
    plus the cloud metadata addresses by name. ``allow_loopback`` defaults to the
    ``FETCH_ALLOW_LOOPBACK`` setting (tests only)."""
    if allow_loopback is None:
        allow_loopback = getattr(settings, "FETCH_ALLOW_LOOPBACK", False)
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    ip = _unwrap(ip)
    if ip in METADATA_ADDRESSES:
        return False
    if ip.is_loopback:
        return bool(allow_loopback)
    return not (
        ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int) -> list[str]:
    """All addresses of ``host``; refuses when any of them is forbidden (a name that points
    at both a public and an internal address is not safe). Returns them, in resolver order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise FetchError(_("We cannot find the server %(host)s.") % {"host": host}) from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchError(_("We cannot find the server %(host)s.") % {"host": host})
    for address in addresses:
        if not address_allowed(address):
            raise FetchRefused(
                _("We do not fetch addresses inside a private network (%(host)s).") % {"host": host}
            )
    return list(dict.fromkeys(addresses))


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an address we may fetch, or FetchRefused. No DNS here."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchRefused(_("This is not a valid web address.")) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(_("Only web addresses starting with https:// or http:// work."))
    if parts.username is not None or parts.password is not None:
        raise FetchRefused(_("Web addresses with a user name or password are not allowed."))
    host = parts.hostname
    if not host:
        raise FetchRefused(_("This is not a valid web address."))
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")  # bücher.example → xn--bcher-kva.example
        except UnicodeError:
            raise FetchRefused(_("This is not a valid web address.")) from None
    return scheme, host, port or (443 if scheme == "https" else 80)


def _request_target(url: str) -> str:
    """Path and query, with spaces and non-ASCII characters percent-encoded (what a browser
    sends); existing escapes are kept."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target = f"{target}?{parts.query}"
    return quote(target, safe="/%:@!$&'()*+,;=-._~?")


def _connect(addresses: list[str], port: int, timeout: float | None) -> socket.socket:
    """A socket to the first checked address that answers (only ever those addresses)."""
    error: OSError = OSError("no address")
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout=timeout)
        except OSError as exc:
            error = exc
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address; Host stays the name from the URL."""

    def __init__(
        self, host: str, port: int, *, addresses: list[str], timeout: float, read_timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses
        self._read_timeout = read_timeout

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port, self.timeout)
        self.sock.settimeout(self._read_timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(
        self, host: str, port: int, *, addresses: list[str], timeout: float, read_timeout: float
    ) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._addresses = addresses
        self._read_timeout = read_timeout

    def connect(self) -> None:
        sock = _connect(self._addresses, self.port, self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)
        self.sock.settimeout(self._read_timeout)


def _read_body(response: http.client.HTTPResponse, *, max_bytes: int, deadline: float) -> bytes:
    length = response.getheader("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchTooLarge(_too_large(max_bytes))
    encoding = (response.getheader("content-encoding") or "").strip().lower()
    decoder = None
    if encoding in ("gzip", "x-gzip"):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = zlib.decompressobj()
    body = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(_("The server took too long to answer."))
        try:
            chunk = response.read1(CHUNK)
        except TimeoutError:
            raise FetchTimeout(_("The server took too long to answer.")) from None
        if not chunk:
            if time.monotonic() >= deadline:  # the watchdog cut the connection
                raise FetchTimeout(_("The server took too long to answer."))
            break
        if decoder is not None:
            try:
                chunk = decoder.decompress(chunk, max_bytes + 1 - len(body))
            except zlib.error:
                raise FetchError(_("The server sent data we cannot unpack.")) from None
        body.extend(chunk)
        if len(body) > max_bytes:
            raise FetchTooLarge(_too_large(max_bytes))
    return bytes(body)


def _too_large(max_bytes: int) -> str:
    return _("The answer is larger than %(limit)s, so we stopped reading.") % {
        "limit": filesizeformat(max_bytes)
    }


def _abort(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _send(
    conn: http.client.HTTPConnection,
    path: str,
    *,
    host: str,
    headers: dict[str, str],
    accept: str,
    deadline: float,
) -> tuple[http.client.HTTPResponse, dict[str, str]]:
    """Sends the GET and reads the status line and headers. Every failure becomes a
    FetchError; once the total budget is spent (the watchdog cut the line) a FetchTimeout."""
    try:
        conn.request(
            "GET",
            path,
            headers={
                "User-Agent": user_agent(),
                "Accept": accept,
                "Accept-Encoding": "gzip, deflate",
                **headers,
            },
        )
        response = conn.getresponse()
    except TimeoutError:
        raise FetchTimeout(_("The server took too long to answer.")) from None
    except (OSError, ValueError, http.client.HTTPException) as error:
        if time.monotonic() >= deadline:
            raise FetchTimeout(_("The server took too long to answer.")) from None
        if isinstance(error, ssl.SSLError):
            raise FetchError(
                _("The secure connection to %(host)s failed.") % {"host": host}
            ) from None
        raise FetchError(_("We could not connect to %(host)s.") % {"host": host}) from None
    return response, {k.lower(): v for k, v in response.getheaders()}


def fetch(
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    headers: dict[str, str] | None = None,
    accept: str = "*/*",
    connect_timeout: float | None = None,
    total_timeout: float | None = None,
) -> FetchResponse:
    """GET ``url`` safely. Returns 2xx and 304 answers; raises FetchRefused (scheme,
    credentials, forbidden address, also after a redirect), FetchTimeout (connect timeout,
    or the total budget in seconds spent), FetchTooLarge (``max_bytes`` bytes, after
    decompression), FetchHTTPError (4xx/5xx, ``status`` set) or FetchError (DNS, TLS,
    connection, too many redirects).

    ``headers`` may add conditional headers (If-None-Match, If-Modified-Since); Cookie,
    Authorization and Host are never sent from there."""
    connect_seconds = connect_timeout or float(getattr(settings, "FETCH_CONNECT_TIMEOUT", 5.0))
    total_seconds = total_timeout or float(getattr(settings, "FETCH_TOTAL_TIMEOUT", 20.0))
    deadline = time.monotonic() + total_seconds
    extra = {
        k: v
        for k, v in (headers or {}).items()
        if k.lower() not in {"cookie", "authorization", "host", "proxy-authorization"}
    }
    current = url.strip()
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port = check_url(current)
        addresses = _resolve(host, port)
        path = _request_target(current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchTimeout(_("The server took too long to answer."))
        conn_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        conn = conn_class(
            host,
            port,
            addresses=addresses,
            timeout=min(connect_seconds, remaining),
            read_timeout=remaining,
        )
        # Socket timeouts count per read, so a server that trickles a byte at a time could
        # outlast them; this watchdog cuts the connection when the total budget is spent.
        watchdog = threading.Timer(remaining, _abort, args=(conn,))
        watchdog.daemon = True
        watchdog.start()
        try:
            response, response_headers = _send(
                conn, path, host=host, headers=extra, accept=accept, deadline=deadline
            )
            status = response.status
            if status in REDIRECT_CODES and response_headers.get("location"):
                current = urljoin(current, response_headers["location"].strip())
                continue
            if status >= 400:
                raise FetchHTTPError(
                    _("The server answered with error %(status)s.") % {"status": status},
                    status=status,
                )
            content = b""
            if status != 304:
                try:
                    content = _read_body(response, max_bytes=max_bytes, deadline=deadline)
                except (OSError, ValueError, http.client.HTTPException):
                    if time.monotonic() >= deadline:
                        raise FetchTimeout(_("The server took too long to answer.")) from None
                    raise FetchError(
                        _("The connection to %(host)s broke off.") % {"host": host}
                    ) from None
            return FetchResponse(
                url=current, status=status, headers=response_headers, content=content
            )
        finally:
            watchdog.cancel()
            conn.close()
    raise FetchError(
        _("The address sends us on more than %(count)s times.") % {"count": MAX_REDIRECTS}
    )
