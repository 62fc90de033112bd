"""gunicorn settings for production: `gunicorn portal.wsgi -c portal/gunicorn.conf.py`.

The access log leaves out client addresses and user agents (%(h)s, %(a)s): we promise not
to store them. Secrets in paths and query strings are redacted.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads keep long streamed CSV exports from hitting the worker timeout.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
# On SIGTERM, requests in progress get this long to finish (then the worker is killed): keep it
# under the stop timeout of your process manager (compose.yaml: 20 s; systemd: 90 s).
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 10))
max_requests = 5000
max_requests_jitter = 500
accesslog = "-"
errorlog = "-"
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'
# Reset keys, confirmation keys and unsubscribe tokens in paths are redacted (portal/logs.py).
logger_class = "portal.gunicorn_logging.RedactingGunicornLogger"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
