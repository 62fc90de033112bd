from .choices import ContentLanguages, DeliveryStatus, Language, Network, Weekday
from .digests import AlertDelivery, DigestDelivery, DigestRun, DigestRunEvent
from .governance import (
    AuditEvent,
    AuditLogIsAppendOnly,
    CalendarToken,
    ItemRevision,
    Notification,
    NotificationSwitch,
)
from .identity import ScimToken
from .items import Item, ItemEvent, JargonTerm, ShareText
from .operations import BouncedAddress, ServiceHeartbeat
from .people import Ambassador, Department, Guidelines, SiteSettings, Topic, User
from .salts import DailySalt
from .sharing import Click, ClickDaily, Share, TrackedLink
from .sources import Source, SourceEntry, WatchTerm
from .suggestions import Suggestion

__all__ = [
    "AlertDelivery",
    "BouncedAddress",
    "Ambassador",
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "CalendarToken",
    "Click",
    "ClickDaily",
    "ContentLanguages",
    "DailySalt",
    "DeliveryStatus",
    "Department",
    "DigestDelivery",
    "DigestRun",
    "DigestRunEvent",
    "Guidelines",
    "Item",
    "ItemEvent",
    "ItemRevision",
    "JargonTerm",
    "Language",
    "Network",
    "ServiceHeartbeat",
    "Notification",
    "NotificationSwitch",
    "Share",
    "ShareText",
    "ScimToken",
    "SiteSettings",
    "Source",
    "SourceEntry",
    "Suggestion",
    "Topic",
    "TrackedLink",
    "User",
    "WatchTerm",
    "Weekday",
]
