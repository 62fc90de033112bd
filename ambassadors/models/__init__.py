from .choices import ContentLanguages, DeliveryStatus, Language, Network, Weekday
from .digests import AlertDelivery, DigestDelivery, DigestRun
from .governance import (
    AuditEvent,
    AuditLogIsAppendOnly,
    CalendarToken,
    ItemRevision,
    Notification,
    NotificationSwitch,
)
from .items import Item, ItemEvent, JargonTerm, ShareText
from .people import Ambassador, Department, Guidelines, SiteSettings, Topic, User
from .sharing import Click, ClickDaily, Share, TrackedLink
from .suggestions import Suggestion

__all__ = [
    "AlertDelivery",
    "Ambassador",
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "CalendarToken",
    "Click",
    "ClickDaily",
    "ContentLanguages",
    "DeliveryStatus",
    "Department",
    "DigestDelivery",
    "DigestRun",
    "Guidelines",
    "Item",
    "ItemEvent",
    "ItemRevision",
    "JargonTerm",
    "Language",
    "Network",
    "Notification",
    "NotificationSwitch",
    "Share",
    "ShareText",
    "SiteSettings",
    "Suggestion",
    "Topic",
    "TrackedLink",
    "User",
    "Weekday",
]
