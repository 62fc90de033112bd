from .choices import ContentLanguages, DeliveryStatus, Language, Network, Weekday
from .crisis import (
    Channel,
    ContentPause,
    Crisis,
    CrisisAlertDelivery,
    CrisisScenario,
    CrisisUpdate,
    Webhook,
    WebhookPost,
)
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
from .rollups import ReportDelivery, ReportSubscription, Rollup, RollupState
from .salts import DailySalt
from .sharing import Click, ClickDaily, Share, TrackedLink
from .sources import Source, SourceEntry, WatchTerm
from .suggestions import Suggestion

__all__ = [
    "AlertDelivery",
    "Ambassador",
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "BouncedAddress",
    "CalendarToken",
    "Channel",
    "Click",
    "ClickDaily",
    "ContentLanguages",
    "ContentPause",
    "Crisis",
    "CrisisAlertDelivery",
    "CrisisScenario",
    "CrisisUpdate",
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
    "Notification",
    "NotificationSwitch",
    "ReportDelivery",
    "ReportSubscription",
    "Rollup",
    "RollupState",
    "ScimToken",
    "ServiceHeartbeat",
    "Share",
    "ShareText",
    "SiteSettings",
    "Source",
    "SourceEntry",
    "Suggestion",
    "Topic",
    "TrackedLink",
    "User",
    "WatchTerm",
    "Webhook",
    "WebhookPost",
    "Weekday",
]
