"""A tiny OpenID Connect provider for tests: discovery, authorisation (scripted by the
test, which plays the person at the provider), token, userinfo and JWKS endpoints, signing
ID tokens with a key made on the spot. Runs on 127.0.0.1 only; no network."""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from joserfc import jwt
from joserfc.jwk import RSAKey

from ambassadors.tests.smtp_sink import free_port

CLIENT_ID = "portal"
CLIENT_SECRET = "test-secret"  # noqa: S105 - test provider


class OidcProvider:
    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.codes: dict[str, dict] = {}  # code -> claims (one use)
        self.tokens: dict[str, dict] = {}  # access token -> claims
        self.token_requests = 0
        self._server: ThreadingHTTPServer | None = None

    def authorize(self, *, claims: dict, nonce: str | None) -> str:
        """The person signs in at the provider: returns the code sent back to the portal."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**claims, "nonce": nonce}
        return code

    def id_token(self, claims: dict) -> str:
        now = int(time.time())
        payload = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            **{k: v for k, v in claims.items() if v is not None},
        }
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, payload, self.key)

    def __enter__(self) -> OidcProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802
                if self.path == "/.well-known/openid-configuration":
                    return self._json(
                        200,
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{provider.issuer}/authorize",
                            "token_endpoint": f"{provider.issuer}/token",
                            "userinfo_endpoint": f"{provider.issuer}/userinfo",
                            "jwks_uri": f"{provider.issuer}/jwks",
                            "response_types_supported": ["code"],
                            "subject_types_supported": ["public"],
                            "id_token_signing_alg_values_supported": ["RS256"],
                        },
                    )
                if self.path == "/jwks":
                    return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
                if self.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = provider.tokens.get(token)
                    if claims is None:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, {k: v for k, v in claims.items() if k != "nonce"})
                return self._json(404, {})

            def do_POST(self):  # noqa: N802
                if self.path != "/token":
                    return self._json(404, {})
                provider.token_requests += 1
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                claims = provider.codes.pop(form.get("code", ""), None)  # one use only
                if claims is None:
                    return self._json(400, {"error": "invalid_grant"})
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = claims
                return self._json(
                    200,
                    {
                        "access_token": access,
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(claims),
                    },
                )

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
