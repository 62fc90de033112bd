from .choices import ContentLanguages, DeliveryStatus, Language, Network, Weekday
from .digests import AlertDelivery, DigestDelivery, DigestRun
from .items import Item, ItemEvent, JargonTerm, ShareText
from .people import Ambassador, Department, Guidelines, SiteSettings, Topic, User
from .rollups import ReportDelivery, ReportSubscription, Rollup, RollupState
from .sharing import Click, ClickDaily, Share, TrackedLink
from .suggestions import Suggestion

__all__ = [
    "AlertDelivery",
    "Ambassador",
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
    "JargonTerm",
    "Language",
    "Network",
    "ReportDelivery",
    "ReportSubscription",
    "Rollup",
    "RollupState",
    "Share",
    "ShareText",
    "SiteSettings",
    "Suggestion",
    "Topic",
    "TrackedLink",
    "User",
    "Weekday",
]
