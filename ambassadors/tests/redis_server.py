"""A Redis server process of a test's own, on a free port."""

from __future__ import annotations

import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import redis


@contextmanager
def own_redis(directory: Path, port: int, *, persist: bool = True):
    """A Redis of this test's own (never the shared one), persisting to `directory` (AOF) so
    a restart keeps what was buffered, as a production broker/buffer Redis should; with
    ``persist=False`` it keeps nothing on disk."""
    process = subprocess.Popen(
        [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "yes" if persist else "no", "--dir", str(directory),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.05)
    try:
        yield client
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)
