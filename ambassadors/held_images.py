"""Keeping a picture chosen on a save that failed for another reason (issue 12).

The picture is cleaned (like any upload) and stored under ``held/``; a signed value naming
the file and the user goes into a hidden field, so the next save uses it without a new
upload. Nobody can point at another person's file or at any other path. Beat removes kept
files after a day (``held_images_clean``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from .images import image_clean

if TYPE_CHECKING:
    from .models import User

HELD_IMAGE_DIR = "held"
HELD_IMAGE_SALT = "studio.held-image"
HELD_IMAGE_MAX_AGE = 24 * 3600  # seconds


def held_image_store(image: File, *, user: User) -> str:
    """Cleans and keeps the picture; returns the signed reference for the hidden field.
    Raises ImageRejected like image_clean for a file that is not a picture."""
    cleaned = image_clean(image, name=image.name)
    name = default_storage.save(f"{HELD_IMAGE_DIR}/{uuid.uuid4().hex}-{cleaned.name}", cleaned)
    return signing.dumps({"name": name, "user": user.pk}, salt=HELD_IMAGE_SALT)


def held_image_load(value: str, *, user: User | None) -> File | None:
    """The kept picture as an open file named as uploaded, or None (missing, tampered,
    older than a day, or not this user's)."""
    if not value or user is None:
        return None
    try:
        data = signing.loads(value, salt=HELD_IMAGE_SALT, max_age=HELD_IMAGE_MAX_AGE)
    except signing.BadSignature:
        return None
    name = data.get("name", "")
    if data.get("user") != user.pk or not name.startswith(f"{HELD_IMAGE_DIR}/"):
        return None
    if ".." in name or not default_storage.exists(name):
        return None
    file = default_storage.open(name)
    file.name = name.rsplit("/", 1)[-1].split("-", 1)[-1]
    return file


def held_images_clean(*, now: datetime | None = None) -> int:
    """Deletes kept pictures older than a day (their references no longer work). Returns
    how many files went."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=HELD_IMAGE_MAX_AGE)
    try:
        _dirs, files = default_storage.listdir(HELD_IMAGE_DIR)
    except FileNotFoundError:
        return 0
    removed = 0
    for filename in files:
        path = f"{HELD_IMAGE_DIR}/{filename}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
            removed += 1
    return removed
