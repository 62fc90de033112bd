from .choices import ContentLanguages, DeliveryStatus, Language, Network, Weekday
from .digests import AlertDelivery, DigestDelivery, DigestRun, DigestRunEvent
from .items import Item, ItemEvent, JargonTerm, ShareText
from .operations import BouncedAddress, ServiceHeartbeat
from .people import Ambassador, Department, Guidelines, SiteSettings, Topic, User
from .sharing import Click, ClickDaily, Share, TrackedLink
from .suggestions import Suggestion

__all__ = [
    "AlertDelivery",
    "BouncedAddress",
    "Ambassador",
    "Click",
    "ClickDaily",
    "ContentLanguages",
    "DeliveryStatus",
    "Department",
    "DigestDelivery",
    "DigestRun",
    "DigestRunEvent",
    "Guidelines",
    "Item",
    "ItemEvent",
    "JargonTerm",
    "Language",
    "Network",
    "ServiceHeartbeat",
    "Share",
    "ShareText",
    "SiteSettings",
    "Suggestion",
    "Topic",
    "TrackedLink",
    "User",
    "Weekday",
]
