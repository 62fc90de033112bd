"""System checks for ``manage.py check --deploy``."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

from .health import NO_PERSISTENCE, OK, UNKNOWN, redis_persistence


@register(Tags.caches, deploy=True)
def click_buffer_persistence(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Clicks wait in Redis until beat flushes them: a Redis that keeps nothing on disk
    loses them all when it restarts."""
    url = settings.CLICK_BUFFER_URL
    if not url:
        return []
    state = redis_persistence(url)
    if state == OK:
        return []
    reason = {
        NO_PERSISTENCE: "has neither AOF (appendonly) nor RDB snapshots (save) switched on",
        UNKNOWN: "does not let us read its persistence settings (CONFIG GET is disabled)",
    }.get(state, "does not answer")
    return [
        Warning(
            f"The click-buffer Redis {reason}: clicks still in the buffer are lost when it "
            "restarts.",
            hint="Run that Redis with 'appendonly yes' (see docs/operations.md), or point "
            "CLICK_BUFFER_URL at one that persists.",
            id="ambassadors.W001",
        )
    ]
