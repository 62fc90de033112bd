"""``manage.py heartbeat_check worker|beat``: exit 0 when that process's heartbeat is fresh.

For container and process-manager health checks of the worker and beat (compose.yaml): the
same rule as ``/healthz`` (a heartbeat older than ``HEALTH_HEARTBEAT_MAX_AGE`` seconds is
stale), without going through a web process.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ambassadors.health import OK, _heartbeat


class Command(BaseCommand):
    help = "Exit 0 when the worker's or beat's heartbeat is fresh, 1 when it is stale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=["worker", "beat"])

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        state = _heartbeat(name, timezone.now())
        if state != OK:
            raise CommandError(f"{name}: {state}")
        self.stdout.write(f"{name}: {state}")
