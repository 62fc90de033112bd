"""The one safe fetcher: what it sends, and every refusal (SSRF rules in fetching.py)."""

from __future__ import annotations

import gzip
import socket
import time

import pytest

from ambassadors import fetching
from ambassadors.fetching import (
    FetchError,
    FetchHTTPError,
    FetchRefused,
    FetchTimeout,
    FetchTooLarge,
    address_allowed,
    fetch,
)
from ambassadors.tests.feed_server import LocalServer


@pytest.fixture
def no_loopback(settings):
    settings.FETCH_ALLOW_LOOPBACK = False


@pytest.fixture
def public_server(monkeypatch, settings):
    """A server on 127.0.0.2 that plays a public address: only 127.0.0.2 is let through,
    every other address follows the real rules with loopback forbidden."""
    settings.FETCH_ALLOW_LOOPBACK = False
    real = fetching.address_allowed
    monkeypatch.setattr(
        fetching,
        "address_allowed",
        lambda address, allow_loopback=None: (
            address == "127.0.0.2" or real(address, allow_loopback=False)
        ),
    )
    server = LocalServer(host="127.0.0.2").start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.1.1",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - a test value, not a bind
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::ffff:10.1.2.3",
        "2002:7f00:1::1",
        "2002:a9fe:a9fe::1",
        "64:ff9b::a9fe:a9fe",
        "2001:db8::1",
        "not-an-address",
    ],
)
def test_forbidden_addresses(address):
    assert address_allowed(address, allow_loopback=False) is False


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert address_allowed(address, allow_loopback=False) is True


def test_the_test_setting_allows_loopback_and_nothing_else():
    assert address_allowed("127.0.0.1", allow_loopback=True) is True
    assert address_allowed("::1", allow_loopback=True) is True
    assert address_allowed("10.0.0.1", allow_loopback=True) is False
    assert address_allowed("169.254.169.254", allow_loopback=True) is False


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/feed.xml",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "//example.com/feed",
        "http:///nohost",
        "http://user:secret@example.com/feed.xml",
        "http://example.com:99999/",
    ],
)
def test_refuses_other_schemes_credentials_and_broken_addresses(url):
    with pytest.raises(FetchRefused):
        fetch(url)


def test_refuses_loopback_when_not_allowed(local_server, no_loopback):
    url = local_server.route("/feed.xml", body=b"<rss/>")
    with pytest.raises(FetchRefused):
        fetch(url)
    with pytest.raises(FetchRefused):
        fetch(url.replace("127.0.0.1", "localhost"))
    with pytest.raises(FetchRefused):
        fetch(f"http://[::ffff:127.0.0.1]:{local_server.port}/feed.xml")
    assert local_server.requests == []


def test_a_name_with_any_forbidden_address_is_refused(local_server, monkeypatch, no_loopback):
    """A name resolving to a public and a private address could be switched between them."""
    monkeypatch.setattr(
        fetching.socket,
        "getaddrinfo",
        lambda *a, **k: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 80)),
        ],
    )
    with pytest.raises(FetchRefused):
        fetch("http://mixed.example/feed.xml")


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/secret",
        "http://localhost:{port}/secret",
        "file:///etc/passwd",
    ],
)
def test_redirects_are_checked_again(public_server, local_server, target):
    go = public_server.route("/go", redirect=target.format(port=local_server.port))
    with pytest.raises(FetchRefused):
        fetch(go)
    assert len(public_server.hits("/go")) == 1
    assert local_server.requests == []


def test_connects_to_the_checked_address_and_keeps_the_host_name(local_server, monkeypatch):
    """The name is resolved once per hop and the socket goes to that address (no second
    lookup a rebinding DNS server could answer differently)."""
    calls = []
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host != "feeds.test":
            return real(host, port, *args, **kwargs)  # the literal address we connect to
        calls.append(host)
        # A rebinding server: public-looking first, internal for any later question.
        return real("127.0.0.1" if len(calls) == 1 else "10.0.0.9", port, *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "getaddrinfo", resolve)
    local_server.route("/feed.xml", body=b"ok", content_type="text/plain")
    response = fetch(f"http://feeds.test:{local_server.port}/feed.xml")
    assert response.content == b"ok"
    assert calls == ["feeds.test"]
    assert local_server.hits("/feed.xml")[0]["Host"] == f"feeds.test:{local_server.port}"


def test_sends_a_portal_user_agent_and_never_cookies_or_credentials(local_server, settings):
    settings.SITE_URL = "https://portal.example.com"
    local_server.route("/start", redirect="/feed.xml", headers={"Set-Cookie": "session=abc"})
    local_server.route("/feed.xml", body=b"ok", content_type="text/plain")
    response = fetch(
        local_server.url("/start"),
        headers={"Cookie": "a=b", "Authorization": "Basic eDp5", "If-None-Match": '"v1"'},
    )
    assert response.url == local_server.url("/feed.xml")
    for headers in local_server.hits("/start") + local_server.hits("/feed.xml"):
        assert headers["User-Agent"] == "AmbassadorPortal/1.0 (+https://portal.example.com)"
        assert "Cookie" not in headers
        assert "Authorization" not in headers
        assert headers["If-None-Match"] == '"v1"'


def test_follows_three_redirects_but_not_four(local_server):
    for n in range(1, 5):
        local_server.route(f"/r{n}", redirect=f"/r{n + 1}")
    local_server.route("/r5", body=b"end", content_type="text/plain")
    assert fetch(local_server.url("/r2")).content == b"end"  # 3 redirects
    with pytest.raises(FetchError) as caught:
        fetch(local_server.url("/r1"))  # 4 redirects
    assert caught.value.message == "The address sends us on more than 3 times."


def test_total_timeout(local_server):
    url = local_server.route("/slow", body=b"late", delay=3)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(url, total_timeout=0.5)
    assert time.monotonic() - started < 2.5


def test_total_timeout_also_for_a_server_that_trickles(local_server):
    url = local_server.route("/trickle", trickle_headers=0.05)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(url, total_timeout=0.6)
    assert time.monotonic() - started < 2


def test_size_limit_by_content_length_by_stream_and_after_gzip(local_server):
    big = local_server.route("/big", body=b"x" * 2_000_000)
    endless = local_server.route("/endless", chunked_forever=True)
    bomb = local_server.route(
        "/bomb",
        body=gzip.compress(b"\0" * 20_000_000),
        headers={"Content-Encoding": "gzip"},
    )
    for url in (big, endless, bomb):
        with pytest.raises(FetchTooLarge):
            fetch(url, max_bytes=1_000_000)


def test_gzip_answers_are_unpacked(local_server):
    url = local_server.route(
        "/feed.xml", body=gzip.compress(b"<rss/>"), headers={"Content-Encoding": "gzip"}
    )
    assert fetch(url).content == b"<rss/>"


@pytest.mark.parametrize("status", [404, 410, 500])
def test_http_errors_carry_the_status(local_server, status):
    url = local_server.route("/x", status=status, body=b"no")
    with pytest.raises(FetchHTTPError) as caught:
        fetch(url)
    assert caught.value.status == status


def test_unknown_host_is_a_clear_error():
    with pytest.raises(FetchError) as caught:
        fetch("http://no-such-host.invalid/feed.xml")
    assert caught.value.message == "We cannot find the server no-such-host.invalid."


def test_connect_timeout_is_a_timeout(monkeypatch):
    monkeypatch.setattr(
        fetching.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 80))]
    )

    def hang(address, timeout=None, **kwargs):
        assert timeout == 0.25
        raise TimeoutError("timed out")

    monkeypatch.setattr(fetching.socket, "create_connection", hang)
    with pytest.raises(FetchTimeout):
        fetch("http://slow.example/feed.xml", connect_timeout=0.25)


def test_non_ascii_paths_and_host_names(local_server, monkeypatch):
    local_server.route("/nieuws/%C3%A9%C3%A9n%20twee", body=b"ok", content_type="text/plain")
    assert fetch(local_server.url("/nieuws/één twee")).content == b"ok"
    asked = []
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        asked.append(host)
        return real("127.0.0.1", port, *args, **kwargs)

    monkeypatch.setattr(fetching.socket, "getaddrinfo", resolve)
    local_server.route("/x", body=b"idn", content_type="text/plain")
    assert fetch(f"http://bücher.example:{local_server.port}/x").content == b"idn"
    assert asked[0] == "xn--bcher-kva.example"
    assert local_server.hits("/x")[0]["Host"] == f"xn--bcher-kva.example:{local_server.port}"


@pytest.fixture
def tls_server(tmp_path):
    """The local server behind TLS with a self-signed certificate for "localhost"."""
    import ssl
    import subprocess

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    server = LocalServer()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    server.start()
    server.cert = cert
    yield server
    server.stop()


def test_tls_is_verified_against_the_host_name(tls_server, monkeypatch):
    import ssl

    tls_server.route("/feed.xml", body=b"secure", content_type="text/plain")
    url = f"https://localhost:{tls_server.port}/feed.xml"
    with pytest.raises(FetchError) as caught:
        fetch(url)  # self-signed: not trusted by default
    assert caught.value.message == "The secure connection to localhost failed."

    real = ssl.create_default_context
    monkeypatch.setattr(
        fetching.ssl, "create_default_context", lambda: real(cafile=str(tls_server.cert))
    )
    assert fetch(url).content == b"secure"  # trusted, and the name matches (SNI "localhost")
    with pytest.raises(FetchError):
        fetch(f"https://127.0.0.1:{tls_server.port}/feed.xml")  # name does not match


def test_tries_each_checked_address_in_turn(local_server, monkeypatch):
    port = local_server.port
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host != "two.test":
            return real(host, *args, **kwargs)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.3", port)),  # nobody there
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    monkeypatch.setattr(fetching.socket, "getaddrinfo", resolve)
    local_server.route("/feed.xml", body=b"second", content_type="text/plain")
    assert fetch(f"http://two.test:{port}/feed.xml").content == b"second"


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        ("text/html; charset=ISO-8859-1", "ISO-8859-1"),
        ("text/html; charset*=utf-8''iso-8859-1", "iso-8859-1"),  # RFC 2231 form
        ("text/html", None),
    ],
)
def test_charset_comes_back_as_text(content_type, charset):
    # The RFC 2231 form used to come back as a tuple, which bytes.decode() refuses.
    response = fetching.FetchResponse(
        url="https://a.test/", status=200, headers={"content-type": content_type}
    )
    assert response.charset == charset
