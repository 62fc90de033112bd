"""Hostile input in every text field, and the pages that show it (security suite)."""

from html.parser import HTMLParser

from django.utils import timezone

from ambassadors.models import ItemEvent, JargonTerm, ShareText, Suggestion
from ambassadors.tests.factories import (
    AmbassadorFactory,
    ClickFactory,
    CommsUserFactory,
    DepartmentFactory,
    GuidelinesFactory,
    ItemFactory,
    ShareFactory,
    SuggestionFactory,
    TopicFactory,
    TrackedLinkFactory,
    UserFactory,
)

PAYLOADS = [
    "<script>alert('xss-script')</script>",
    '"><img src=x onerror=alert("xss-img")>',
    "<svg onload=alert('xss-svg')>",
    "<iframe src=javascript:alert('xss-iframe')></iframe>",
]
TEXT = " ".join(PAYLOADS)
MARKDOWN = (
    "Hello [click me](javascript:alert('xss-md-link')) and "
    "<a href=\"javascript:alert('xss-html-link')\">me</a>\n\n" + TEXT
)


class _LiveMarkup(HTMLParser):
    """Collects markup that would run: inline scripts, event handlers, javascript: URLs,
    frames and plugins. Escaped text is data to the parser, so it never shows up here."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src"):
            self.found.append("inline <script>")
        attributes = dict(attrs)
        own_sandboxed_frame = (
            tag == "iframe"
            and "sandbox" in attributes
            and "allow-scripts" not in (attributes["sandbox"] or "")
            and (attributes.get("src") or "").startswith("/")
        )
        if tag in {"iframe", "object", "embed"} and not own_sandboxed_frame:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:>")


def live_markup(html: str) -> list[str]:
    parser = _LiveMarkup()
    parser.feed(html)
    return parser.found


def build_hostile_data() -> dict:
    """Guidelines, people, topics, an item with every text field set, shares, clicks,
    suggestions (open and declined), a returned-with-a-note event and a jargon term."""
    GuidelinesFactory(version=1, body_en=MARKDOWN, body_nl=MARKDOWN)
    department = DepartmentFactory(name="Sales " + PAYLOADS[1])
    topic = TopicFactory(slug="evil", name="Topic " + PAYLOADS[2])
    user = UserFactory(email="victim@example.com", first_name=PAYLOADS[1], last_name=PAYLOADS[0])
    ambassador = AmbassadorFactory(user=user, department=department, leaderboard_visible=True)
    ambassador.topics.add(topic)
    comms = CommsUserFactory(email="comms-xss@example.com", first_name=PAYLOADS[2])
    item = ItemFactory(
        live=True,
        title="Title " + PAYLOADS[1],
        body=MARKDOWN,
        image_alt=PAYLOADS[0],
        disclosure="#work " + PAYLOADS[2],
        author=comms,
        slug="hostile",
        link="https://example.com/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    )
    item.topics.add(topic)
    for network in ("linkedin", "x", "email"):
        ShareText.objects.create(item=item, network=network, text="Share " + TEXT)
    draft = ItemFactory(title="Draft " + PAYLOADS[0], body=MARKDOWN, author=comms, slug="draft")
    ItemEvent.objects.create(
        item=draft, actor=comms, action=ItemEvent.Action.RETURNED, note="Note " + TEXT
    )
    ShareFactory(ambassador=ambassador, item=item, network="linkedin", created_at=timezone.now())
    ClickFactory(link=TrackedLinkFactory(ambassador=ambassador, item=item, code="hostile1"))
    SuggestionFactory(ambassador=ambassador, link="https://example.com/a?b=<script>", note=TEXT)
    SuggestionFactory(
        ambassador=ambassador,
        note="Declined " + TEXT,
        status=Suggestion.Status.DECLINED,
        decline_reason="Reason " + PAYLOADS[1],
    )
    JargonTerm.objects.create(language="en", term="hello", suggestion="hi " + PAYLOADS[0])
    return {"ambassador": ambassador, "comms": comms, "item": item, "draft": draft}


def pages_for(data: dict) -> dict[str, list[str]]:
    """Pages that show the hostile text, by who can see them."""
    item, draft = data["item"], data["draft"]
    return {
        "ambassador": [
            "/",
            "/?q=%3Cscript%3Ealert(1)%3C/script%3E",
            f"/items/{item.slug}/",
            "/join/",
            "/me/",
            "/leaderboard/",
            "/leaderboard/?board=departments",
            "/suggestions/",
            "/me/preferences/",
        ],
        "comms": [
            "/studio/",
            "/studio/review/",
            f"/studio/items/{item.pk}/",
            f"/studio/items/{item.pk}/edit/",
            f"/studio/items/{draft.pk}/",
            "/studio/suggestions/",
            "/studio/reports/",
            "/studio/digests/",
            f"/studio/digests/preview/?q={data['ambassador'].user.last_name[:8]}",
            f"/studio/digests/preview/{data['ambassador'].pk}/",
            f"/studio/digests/preview/{data['ambassador'].pk}/email.html",
        ],
        "anonymous": [f"/p/{item.slug}/"],
    }
