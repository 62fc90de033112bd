from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .membership import ambassador_for, current_guidelines


def portal(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    ambassador = ambassador_for(user)
    active = ambassador if ambassador is not None and ambassador.is_active else None
    needs_guidelines = active is not None and active.needs_guidelines(current_guidelines())
    return {
        "ambassador": active,
        "is_ambassador": active is not None,
        "has_left": ambassador is not None and active is None and ambassador.user_id is not None,
        "is_comms": bool(user and user.is_authenticated and user.is_comms),
        "needs_guidelines": needs_guidelines,
        "company_name": settings.COMPANY_NAME,
    }
