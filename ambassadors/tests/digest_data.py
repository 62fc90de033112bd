"""Many ambassadors at once, for worker tests and bench/digest.py (factories are too slow)."""

from __future__ import annotations

from django.utils import timezone

from ambassadors.models import Ambassador, User


def bulk_ambassadors(count: int, *, prefix: str = "reader", **fields) -> list[Ambassador]:
    """``count`` active ambassadors with addresses <prefix><n>@example.com, in pk order."""
    now = timezone.now()
    users = User.objects.bulk_create(
        [
            User(username=f"{prefix}{n}@example.com", email=f"{prefix}{n}@example.com")
            for n in range(count)
        ],
        batch_size=500,
    )
    if users[0].pk is None:  # backends that do not return ids
        users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    fields.setdefault("guidelines_version", 1)
    fields.setdefault("guidelines_accepted_at", now)
    Ambassador.objects.bulk_create(
        [Ambassador(user=user, **fields) for user in users], batch_size=500
    )
    return list(Ambassador.objects.filter(user__username__startswith=prefix).order_by("pk"))
