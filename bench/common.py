"""Shared set-up for the bench scripts: a database of their own, Django, machine facts."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def require_services(*names: str) -> None:
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        sys.exit(f"Set {', '.join(missing)} (the benches run against the real services).")


def ensure_database(url: str) -> None:
    """Create the bench's PostgreSQL database if it does not exist yet."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(settings_module: str = "bench.settings") -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def machine_facts() -> dict[str, str]:
    facts = {
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        facts["memory"] = f"{int(mem) // 1024} MiB"
    except OSError:
        pass
    return facts


def print_facts() -> None:
    for key, value in machine_facts().items():
        print(f"  {key}: {value}")
