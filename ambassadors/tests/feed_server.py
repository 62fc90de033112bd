"""A local HTTP server for feed, preview and picture tests (threaded ``http.server``).

Routes are set per test: ``server.route("/feed.xml", body=..., content_type=...)`` with
optional ``status``, ``headers``, ``etag`` (answers 304 to a matching If-None-Match),
``delay`` (seconds before the body) and ``redirect`` (a Location). Every request is kept in
``server.requests`` as (path, headers) so tests can check what the fetcher sent.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str = ""
    delay: float = 0.0
    redirect: str = ""
    chunked_forever: bool = False
    trickle_headers: float = 0.0


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        owner = self.server.owner
        with owner.lock:
            owner.requests.append((self.path, dict(self.headers.items())))
        route = owner.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.redirect:
            self.send_response(route.status if route.status in (301, 302, 303, 307, 308) else 302)
            self.send_header("Location", route.redirect)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        if route.trickle_headers:
            # Headers one byte at a time: each read is quick, the whole answer never ends.
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 200:
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(route.trickle_headers)
            return
        if route.delay:
            time.sleep(route.delay)
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        if route.etag:
            self.send_header("ETag", route.etag)
        for name, value in route.headers.items():
            self.send_header(name, value)
        if route.chunked_forever:
            # No Content-Length: the body just keeps coming (a hostile or broken server).
            self.end_headers()
            try:
                for _ in range(10_000):
                    self.wfile.write(b"<item>" + b"x" * 65536 + b"</item>")
            except OSError:
                pass
            return
        self.send_header("Content-Length", str(len(route.body)))
        self.end_headers()
        with contextlib.suppress(OSError):
            self.wfile.write(route.body)


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True


class LocalServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.httpd = FeedServer((host, 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def route(self, path: str, **kwargs) -> str:
        self.routes[path] = Route(**kwargs)
        return self.url(path)

    def hits(self, path: str) -> list[dict]:
        with self.lock:
            return [headers for p, headers in self.requests if p.split("?")[0] == path]

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
