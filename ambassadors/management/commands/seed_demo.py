"""Demo data for `make run`: safe to run again (idempotent), refused in production."""

from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ambassadors.models import (
    Ambassador,
    Click,
    CrisisScenario,
    Department,
    Guidelines,
    Item,
    ItemEvent,
    Share,
    ShareText,
    SiteSettings,
    Suggestion,
    Topic,
    User,
)
from ambassadors.publishing.items import item_create
from ambassadors.publishing.workflow import item_submit
from ambassadors.roles import COMMS, COMMS_LEADS, ensure_role_groups
from ambassadors.tracking.links import tracked_link_get_or_create

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - demo only, refused in production

# English and Dutch names.
DEPARTMENTS = [
    ("Communications", "Communicatie"),
    ("Engineering", "Techniek"),
    ("Sales", "Verkoop"),
    ("People & Culture", "HR"),
    ("Customer Care", "Klantenservice"),
]
TOPICS = [
    ("news", "Company news", "Bedrijfsnieuws"),
    ("jobs", "Jobs", "Vacatures"),
    ("sustainability", "Sustainability", "Duurzaamheid"),
    ("product", "Product", "Product"),
    ("events", "Events", "Evenementen"),
]

GUIDELINES_EN = """\
**Thank you for sharing our news.** These are the few rules we ask you to keep.

- **You choose.** Share only what you like. Nobody checks if you share.
- **Use your own words.** Change our text as much as you want.
- **Say that you work here.** We add a short line like #employee. Please keep it.
- **Keep secrets secret.** Share only what is on this site or already public.
- **Be kind.** Do not argue with people online in our name. Send tough questions to the comms team.
- **Leave any time.** One click on your preferences page, and we stop.

We count shares and clicks on your links, never who clicked. See the privacy page.
"""

GUIDELINES_NL = """\
**Dank je wel dat je ons nieuws deelt.** Dit zijn de paar afspraken die we met je maken.

- **Jij kiest.** Deel alleen wat je leuk vindt. Niemand controleert of je deelt.
- **Gebruik je eigen woorden.** Pas onze tekst zo veel aan als je wilt.
- **Zeg dat je hier werkt.** We zetten er een korte regel onder, zoals #medewerker. Laat die staan.
- **Houd geheimen geheim.** Deel alleen wat op deze site staat of al openbaar is.
- **Wees vriendelijk.** Ga online niet in discussie namens ons. Stuur lastige vragen naar het communicatieteam.
- **Stop wanneer je wilt.** Met één klik op je voorkeuren-pagina stoppen we.

We tellen hoe vaak je deelt en hoe vaak er op je links geklikt wordt, nooit wie er klikte. Zie de privacypagina.
"""

USERS = [
    # email, first name, role, language, department
    ("comms@example.com", "Charlotte", "comms", "en", "Communications"),
    ("reviewer@example.com", "Ruben", "comms", "nl", "Communications"),
    ("lead@example.com", "Lotte", "lead", "nl", "Communications"),
    ("anna@example.com", "Anna", "ambassador", "en", "Engineering"),
    ("bram@example.nl", "Bram", "ambassador", "nl", "Sales"),
    ("chris@example.com", "Chris", "ambassador", "en", "Customer Care"),
    ("eve@example.com", "Eve", "employee", "en", "People & Culture"),
]

ITEMS: list[dict[str, Any]] = [
    {
        "slug": "new-office-utrecht",
        "title": "We opened a new office in Utrecht",
        "language": "en",
        "link": "https://example.com/news/utrecht",
        "body": "Our new office is next to the station. It has room for 200 people, "
        "a roof garden and bike parking for everyone.",
        "topics": ["news"],
        "featured": True,
        "texts": {
            "linkedin": "Our new Utrecht office is open! Right next to the station, with a roof "
            "garden. Come and visit.",
            "x": "Our new office in Utrecht is open, right next to the station.",
        },
    },
    {
        "slug": "nieuw-kantoor-utrecht",
        "title": "Ons nieuwe kantoor in Utrecht is open",
        "language": "nl",
        "link": "https://example.com/nieuws/utrecht",
        "body": "Ons nieuwe kantoor ligt naast het station. Er is plek voor 200 mensen, "
        "een daktuin en een fietsenstalling voor iedereen.",
        "topics": ["news"],
        "translation_of": "new-office-utrecht",
        "texts": {"linkedin": "Ons nieuwe kantoor in Utrecht is open! Naast het station."},
    },
    {
        "slug": "we-are-hiring-engineers",
        "title": "We are hiring 20 engineers",
        "language": "en",
        "link": "https://example.com/jobs",
        "body": "Do you know a good engineer? We have 20 open jobs. Share this with your network.",
        "topics": ["jobs"],
        "texts": {"linkedin": "We are hiring! 20 engineering jobs. Know someone? Send them this."},
    },
    {
        "slug": "solar-roofs",
        "title": "All our buildings now run on solar power",
        "language": "en",
        "link": "",
        "body": "Since this month, the roofs of all our buildings have solar panels. "
        "They make more power than we use in summer.",
        "topics": ["sustainability"],
        "texts": {"x": "All our buildings now run on the sun."},
    },
]


class Command(BaseCommand):
    help = "Create demo departments, topics, guidelines, users and items (safe to repeat)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SETTINGS_MODULE.endswith("production"):
            raise CommandError("seed_demo refuses to run with production settings.")
        with transaction.atomic():
            self._seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with:"))
        for email, _name, role, _lang, _dept in USERS:
            self.stdout.write(f"  {role:<11} {email:<24} password: {DEMO_PASSWORD}")

    def _seed(self) -> None:
        now = timezone.now()
        SiteSettings.load()
        departments = {
            name: Department.objects.update_or_create(name=name, defaults={"name_nl": dutch})[0]
            for name, dutch in DEPARTMENTS
        }
        topics = {
            slug: Topic.objects.update_or_create(
                slug=slug, defaults={"name": name, "name_nl": dutch}
            )[0]
            for slug, name, dutch in TOPICS
        }
        guidelines, _ = Guidelines.objects.get_or_create(
            version=1,
            defaults={"body_en": GUIDELINES_EN, "body_nl": GUIDELINES_NL, "published_at": now},
        )
        roles = ensure_role_groups()
        groups = {"comms": roles[COMMS], "lead": roles[COMMS_LEADS]}
        users = {}
        for email, first_name, role, language, department in USERS:
            user, created = User.objects.get_or_create(
                email=email, defaults={"username": email, "first_name": first_name}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if role in groups:
                user.groups.add(groups[role])
                # Comms add their own jargon terms in the admin, which needs staff status.
                User.objects.filter(pk=user.pk, is_staff=False).update(is_staff=True)
            if role != "employee":
                ambassador, _ = Ambassador.objects.get_or_create(
                    user=user,
                    defaults={
                        "language": language,
                        "department": departments[department],
                        "guidelines_version": guidelines.version,
                        "guidelines_accepted_at": now,
                        "networks": ["linkedin", "x", "whatsapp"],
                    },
                )
                ambassador.topics.add(topics["news"])
            users[email] = user
        author = users["comms@example.com"]
        items: dict[str, Item] = {}
        for spec in ITEMS:
            item, created = Item.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    "title": spec["title"],
                    "language": spec["language"],
                    "link": spec["link"],
                    "body": spec["body"],
                    "status": Item.Status.PUBLISHED,
                    "publish_at": now - timedelta(days=1),
                    "is_featured": spec.get("featured", False),
                    "author": author,
                    "translation_of": items.get(spec.get("translation_of", "")),
                },
            )
            items[spec["slug"]] = item
            if created:
                item.topics.set([topics[slug] for slug in spec["topics"]])
                for network, text in spec["texts"].items():
                    ShareText.objects.create(item=item, network=network, text=text)
                ItemEvent.objects.create(item=item, actor=author, action=ItemEvent.Action.PUBLISHED)
        self._seed_review_item(author, topics)
        self._seed_activity(users, items, now)
        self._seed_crisis_scenario(author, users["reviewer@example.com"])

    def _seed_activity(self, users: dict[str, User], items: dict[str, Item], now: datetime) -> None:
        """A few shares, clicks and a suggestion, so the reports, the leaderboard and
        'my impact' have something to show. Only on the first run."""
        if Share.objects.exists():
            return
        for email, slug, network, days, clicks in ACTIVITY:
            ambassador = users[email].ambassador
            at = now - timedelta(days=days)
            Share.objects.create(
                ambassador=ambassador, item=items[slug], network=network, created_at=at
            )
            link = tracked_link_get_or_create(
                ambassador=ambassador, item=items[slug], network=network
            )
            Click.objects.bulk_create(
                Click(
                    link=link,
                    at=at + timedelta(hours=n),
                    day=timezone.localdate(at + timedelta(hours=n)),
                    visitor_hash=f"demo-{link.pk}-{n}",
                    is_unique=True,
                )
                for n in range(clicks)
            )
        Ambassador.objects.filter(user__email="anna@example.com").update(leaderboard_visible=True)
        Suggestion.objects.create(
            ambassador=users["chris@example.com"].ambassador,
            link="https://example.com/blog/customer-story",
            note="A customer wrote a nice blog post about our help desk.",
        )

    def _seed_crisis_scenario(self, author: User, reviewer: User) -> None:
        """One approved, dark crisis scenario with blanks, ready to activate (crisis mode)."""
        from ambassadors.crisis import services as crisis

        if CrisisScenario.objects.filter(name="Outage").exists():
            return
        scenario = crisis.scenario_create(
            by=author,
            name="Outage",
            title_en="{what} is down",
            body_en="Since {time}, {what} does not work. We are fixing it and post updates here.",
            share_text_en="{what} is down since {time}. We are on it; updates follow.",
            title_nl="{what} werkt niet",
            body_nl="Sinds {time} werkt {what} niet. We lossen het op en houden je op de hoogte.",
            share_text_nl="{what} werkt niet sinds {time}. We zijn ermee bezig.",
            internal_only=False,
        )
        crisis.scenario_submit(scenario=scenario, by=author)
        crisis.scenario_approve(scenario=scenario, by=reviewer)

    def _seed_review_item(self, author: User, topics: dict[str, Topic]) -> None:
        """One draft waiting for review (publishing studio), so the review queue has work."""
        if Item.objects.filter(slug=REVIEW_ITEM["slug"]).exists():
            return
        item = item_create(
            by=author,
            title=REVIEW_ITEM["title"],
            body=REVIEW_ITEM["body"],
            link=REVIEW_ITEM["link"],
            language="en",
            topics=[topics["events"]],
            share_texts=REVIEW_ITEM["texts"],
        )
        item_submit(item=item, by=author)


ACTIVITY = [
    # ambassador, item, network, days ago, clicks on the link
    ("anna@example.com", "new-office-utrecht", "linkedin", 1, 12),
    ("anna@example.com", "we-are-hiring-engineers", "linkedin", 3, 30),
    ("anna@example.com", "solar-roofs", "x", 5, 4),
    ("bram@example.nl", "nieuw-kantoor-utrecht", "linkedin", 1, 7),
    ("bram@example.nl", "we-are-hiring-engineers", "whatsapp", 2, 3),
    ("chris@example.com", "new-office-utrecht", "x", 4, 2),
]


REVIEW_ITEM: dict[str, Any] = {
    "slug": "open-day-on-saturday",
    "title": "Open day on Saturday",
    "link": "https://example.com/open-day",
    "body": "On Saturday our doors are open from 10 to 4. Bring your family and friends. "
    "You can see where we work, try our products and meet the team. There is coffee, cake "
    "and a bouncy castle for the kids. Entry is free. Tell your friends!",
    "texts": [
        ("linkedin", "Come to our open day on Saturday, 10 to 4. Free entry, coffee and cake."),
        ("x", "Open day on Saturday! Bring the kids, there is a bouncy castle."),
        ("x", "Ever wondered where I work? Come and see on Saturday, 10 to 4."),
    ],
}
