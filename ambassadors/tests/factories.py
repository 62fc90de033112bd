import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from ambassadors import models
from ambassadors.roles import COMMS, COMMS_LEADS, ensure_role_groups


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.LazyAttribute(lambda o: o.email)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("correct horse battery")

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """allauth needs a verified EmailAddress to let the user sign in."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class CommsUserFactory(UserFactory):
    @factory.post_generation
    def comms_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(ensure_role_groups()[COMMS])


class CommsLeadFactory(UserFactory):
    @factory.post_generation
    def lead_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(ensure_role_groups()[COMMS_LEADS])


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = models.Topic
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = models.Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")


class GuidelinesFactory(DjangoModelFactory):
    class Meta:
        model = models.Guidelines
        django_get_or_create = ("version",)

    version = factory.Sequence(lambda n: n + 1)
    body_en = "Share what you like. Be yourself. Say that you work here."
    body_nl = "Deel wat je leuk vindt. Wees jezelf. Zeg dat je hier werkt."
    published_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(days=1))


class AmbassadorFactory(DjangoModelFactory):
    class Meta:
        model = models.Ambassador
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    guidelines_version = 1
    guidelines_accepted_at = factory.LazyFunction(timezone.now)
    language = "en"
    content_languages = "both"
    time_zone = "Europe/Amsterdam"

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = models.Item
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Our news number {n}")
    slug = factory.Sequence(lambda n: f"our-news-{n}")
    link = "https://example.com/news"
    body = "We opened a new office. Come and see it."
    language = "en"
    status = models.Item.Status.DRAFT
    author = factory.SubFactory(CommsUserFactory)

    class Params:
        live = factory.Trait(
            status=models.Item.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(hours=1)),
        )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)

    @factory.post_generation
    def audience(self, create, extracted, **kwargs):
        if create and extracted:
            self.audience.set(extracted)


class ShareTextFactory(DjangoModelFactory):
    class Meta:
        model = models.ShareText

    item = factory.SubFactory(ItemFactory)
    network = models.Network.LINKEDIN
    text = "Look what we did this week."


class TrackedLinkFactory(DjangoModelFactory):
    class Meta:
        model = models.TrackedLink

    code = factory.Sequence(lambda n: f"code{n:08d}")
    ambassador = factory.SubFactory(AmbassadorFactory)
    item = factory.SubFactory(ItemFactory, live=True)
    network = models.Network.LINKEDIN


class ShareFactory(DjangoModelFactory):
    class Meta:
        model = models.Share

    ambassador = factory.SubFactory(AmbassadorFactory)
    item = factory.SubFactory(ItemFactory, live=True)
    network = models.Network.LINKEDIN


class ClickFactory(DjangoModelFactory):
    class Meta:
        model = models.Click

    link = factory.SubFactory(TrackedLinkFactory)
    at = factory.LazyFunction(timezone.now)
    day = factory.LazyAttribute(lambda o: timezone.localdate(o.at))
    visitor_hash = factory.Sequence(lambda n: f"visitor{n}")
    is_unique = True


class SuggestionFactory(DjangoModelFactory):
    class Meta:
        model = models.Suggestion

    ambassador = factory.SubFactory(AmbassadorFactory)
    link = "https://example.com/idea"
    note = "Nice story for our network."
