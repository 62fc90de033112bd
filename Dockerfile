# The ambassador portal as one image for web, worker, beat and migrations.
#
#   docker build -t ambassador-portal .
#   docker compose up -d            (see compose.yaml and the README's production section)
#
# BASE_IMAGE: any Debian-like image with Python 3.11 and its venv module. The default is the
# official slim image; .ci/container-check builds on a Debian bookworm base made with
# debootstrap (python3, python3-venv), because registries cannot be reached there.
ARG BASE_IMAGE=python:3.11-slim-bookworm

# --- build: one virtualenv with every wheel, installed once ----------------------------------
FROM ${BASE_IMAGE} AS build
# A package index mirror, and a CA bundle for a TLS-inspecting proxy (a path the build can
# read, e.g. `podman build -v /etc/ssl/certs/ca-certificates.crt:/run/build-ca.crt:ro
# --build-arg BUILD_CA_BUNDLE=/run/build-ca.crt`); both only for pip, only in this stage.
ARG PIP_INDEX_URL=
ARG BUILD_CA_BUNDLE=
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
COPY requirements.txt /tmp/requirements.txt
RUN set -eu; \
    python3 -c 'import sys; assert sys.version_info >= (3, 11), sys.version'; \
    python3 -m venv /opt/venv; \
    if [ -n "$BUILD_CA_BUNDLE" ]; then export PIP_CERT="$BUILD_CA_BUNDLE"; fi; \
    if [ -n "$PIP_INDEX_URL" ]; then export PIP_INDEX_URL; else unset PIP_INDEX_URL; fi; \
    /opt/venv/bin/pip install --prefer-binary \
        -r /tmp/requirements.txt

# --- runtime ---------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
ARG PORTAL_UID=10001
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production \
    PORTAL_VAR_DIR=/data \
    MEDIA_ROOT=/data/media \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000
RUN set -eu; \
    groupadd --system --gid "$PORTAL_UID" portal; \
    useradd --system --uid "$PORTAL_UID" --gid portal --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin portal; \
    mkdir -p /app /data/media; \
    chown portal:portal /data /data/media
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root . /app
# Static files are collected (hashed and compressed for whitenoise) at build time. The
# production settings want their secrets; these placeholders exist only for this command.
RUN set -eu; \
    SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost SITE_URL=http://localhost \
    ALLOWED_EMAIL_DOMAINS=example.com DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 EMAIL_URL=smtp://localhost:25 \
    DEFAULT_FROM_EMAIL=portal@example.com \
        python manage.py collectstatic --noinput --verbosity 0; \
    rm -f /tmp/collectstatic.sqlite3; \
    chmod 0755 /app/container/entrypoint /app/container/healthcheck; \
    python -m compileall -q /app/portal /app/ambassadors >/dev/null
USER portal
VOLUME ["/data"]
EXPOSE 8000
# The entry point execs the process it starts, so SIGTERM from `docker stop` reaches gunicorn
# or Celery directly (see "Stopping cleanly" in docs/operations.md).
ENTRYPOINT ["/app/container/entrypoint"]
CMD ["web"]
# Health checks live in compose.yaml: /healthz/web for web; worker and beat report through
# the web's /healthz (heartbeats).
