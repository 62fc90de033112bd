from .choices import ContentLanguages, DeliveryStatus, Language, Network, Weekday
from .digests import AlertDelivery, DigestDelivery, DigestRun
from .identity import ScimToken
from .items import Item, ItemEvent, JargonTerm, ShareText
from .people import Ambassador, Department, Guidelines, SiteSettings, Topic, User
from .salts import DailySalt
from .sharing import Click, ClickDaily, Share, TrackedLink
from .suggestions import Suggestion

__all__ = [
    "AlertDelivery",
    "Ambassador",
    "Click",
    "ClickDaily",
    "ContentLanguages",
    "DailySalt",
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
    "ScimToken",
    "SiteSettings",
    "Suggestion",
    "Topic",
    "TrackedLink",
    "User",
    "Weekday",
]
