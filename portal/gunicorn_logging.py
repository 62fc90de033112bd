"""gunicorn's access log without secrets: ``logger_class`` in gunicorn.conf.py."""

from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from portal.logs import redact


class RedactingGunicornLogger(Logger):
    """gunicorn's access log with the request line, path and query string redacted."""

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "{raw_uri}e"):
            if key in atoms and isinstance(atoms[key], str):
                atoms[key] = redact(atoms[key])
        return atoms
