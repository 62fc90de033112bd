"""A local HTTP server standing in for Slack and Teams webhooks, for tests and the demo.

Every POST is parsed as JSON and checked against the documented payload shape of the
service its path names (``/slack/…`` or ``/teams/…``); a post that does not match is
answered 400 and recorded in ``bad``. Answers can be scripted per path (e.g. 429 then 200).
"""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ambassadors.tests.smtp_sink import free_port


def slack_shape_errors(payload: dict) -> list[str]:
    """Slack incoming webhooks: ``text`` (string, the notification fallback) and ``blocks``
    of known types; header text is plain_text at most 150 characters, a section's text is
    mrkdwn at most 3000, buttons carry plain_text and an absolute url."""
    errors = []
    if not isinstance(payload.get("text"), str) or not payload["text"]:
        errors.append("text missing")
    blocks = payload.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return [*errors, "blocks missing"]
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            text = block.get("text", {})
            if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= 150:
                errors.append("bad header")
        elif kind == "section":
            text = block.get("text", {})
            if text.get("type") != "mrkdwn" or not 0 < len(text.get("text", "")) <= 3000:
                errors.append("bad section")
        elif kind == "context":
            if not all(e.get("type") in ("mrkdwn", "plain_text") for e in block["elements"]):
                errors.append("bad context")
        elif kind == "actions":
            for element in block.get("elements", []):
                if element.get("type") != "button" or element["text"]["type"] != "plain_text":
                    errors.append("bad button")
                if not str(element.get("url", "")).startswith(("http://", "https://")):
                    errors.append("button url")
        else:
            errors.append(f"unknown block {kind}")
    return errors


def teams_shape_errors(payload: dict) -> list[str]:
    """Teams workflow webhooks: a message whose attachments hold one Adaptive Card."""
    errors = []
    if payload.get("type") != "message":
        errors.append("type is not message")
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return [*errors, "attachments"]
    attachment = attachments[0]
    if attachment.get("contentType") != "application/vnd.microsoft.card.adaptive":
        errors.append("contentType")
    if "contentUrl" not in attachment:
        errors.append("contentUrl")
    card = attachment.get("content", {})
    if card.get("type") != "AdaptiveCard" or not card.get("version"):
        errors.append("not an AdaptiveCard")
    if "adaptivecards.io" not in card.get("$schema", ""):
        errors.append("$schema")
    body = card.get("body", [])
    if not body or not all(b.get("type") == "TextBlock" and b.get("text") for b in body):
        errors.append("body")
    for action in card.get("actions", []):
        if action.get("type") != "Action.OpenUrl" or not action.get("url"):
            errors.append("action")
    return errors


class WebhookSink:
    """``with WebhookSink() as sink:`` → sink.url("slack", "abc"), sink.posts["slack"]."""

    def __init__(self):
        self.port = free_port()
        self.posts: dict[str, list[dict]] = defaultdict(list)
        self.bad: list[tuple[str, list[str]]] = []
        self.script: dict[str, deque[int]] = defaultdict(deque)
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                kind = self.path.strip("/").split("/")[0]
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = None
                check = {"slack": slack_shape_errors, "teams": teams_shape_errors}.get(kind)
                errors = ["not json"] if payload is None else check(payload) if check else ["path"]
                with sink.lock:
                    status = sink.script[self.path].popleft() if sink.script[self.path] else 200
                    if errors:
                        sink.bad.append((self.path, errors))
                        status = 400
                    elif 200 <= status < 300:
                        sink.posts[kind].append(payload)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, kind: str, secret: str = "T000/B000/XXXX") -> str:
        return f"http://127.0.0.1:{self.port}/{kind}/{secret}"

    def answer(self, kind: str, secret: str, *statuses: int) -> None:
        """The next answers to POSTs on that webhook's path, then 200s."""
        with self.lock:
            self.script[f"/{kind}/{secret}"].extend(statuses)

    def __enter__(self) -> WebhookSink:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
