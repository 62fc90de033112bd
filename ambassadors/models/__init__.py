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
from .digests import AlertDelivery, DigestDelivery, DigestRun
from .items import Item, ItemEvent, JargonTerm, ShareText
from .people import Ambassador, Department, Guidelines, SiteSettings, Topic, User
from .sharing import Click, ClickDaily, Share, TrackedLink
from .suggestions import Suggestion

__all__ = [
    "AlertDelivery",
    "Ambassador",
    "Channel",
    "Click",
    "ClickDaily",
    "ContentLanguages",
    "ContentPause",
    "Crisis",
    "CrisisAlertDelivery",
    "CrisisScenario",
    "CrisisUpdate",
    "DeliveryStatus",
    "Department",
    "DigestDelivery",
    "DigestRun",
    "Guidelines",
    "Item",
    "ItemEvent",
    "JargonTerm",
    "Language",
    "Network",
    "Share",
    "ShareText",
    "SiteSettings",
    "Suggestion",
    "Topic",
    "TrackedLink",
    "User",
    "Webhook",
    "WebhookPost",
    "Weekday",
]
