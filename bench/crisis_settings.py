"""bench/settings.py plus a URLConf with a bare HTML view, for bench/crisis.py."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.crisis_urls"
