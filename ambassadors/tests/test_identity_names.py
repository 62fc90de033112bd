"""Names: asked at sign-up, edited in the preferences, shown on the leaderboard (opt-in),
in e-mail greetings, in the studio and on "signed in as"; plain text, control characters
refused everywhere a name comes in."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ambassadors.identity.names import clean_name, name_problem
from ambassadors.mail.digests.selection import digest_preview
from ambassadors.mail.digests.sending import DigestRenderer
from ambassadors.mail.messages import contact, with_contact
from ambassadors.models import Ambassador, Item, User
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory, ShareFactory, UserFactory

SIGNUP = {"password1": "a long Pass-phrase 42", "password2": "a long Pass-phrase 42"}
BAD_NAMES = [
    "Dirk\nBcc: x@evil.example",  # line break: header/greeting injection
    "Dirk\r",
    "Dirk\x00",
    "Dirk\x1b[31m",  # terminal escape
    "Dirk\u202eknaJ",  # right-to-left override (spoofing)
    "Dirk\u2028Jansen",  # line separator
    "Dirk\u200b",  # zero-width space (format character)
]


@pytest.mark.parametrize("value", BAD_NAMES)
def test_control_and_format_characters_are_refused(value):
    assert name_problem(value) == "Use letters, spaces and punctuation only."
    with pytest.raises(ValueError, match="Use letters"):
        clean_name(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jöran", "Jöran"),
        ("  Anne-Marie   van  der Berg ", "Anne-Marie van der Berg"),
        ("O'Brien & <Co>", "O'Brien & <Co>"),  # plain text: escaped where shown
        ("محمد", "محمد"),
        ("क्षत्रिय", "क्षत्रिय"),  # Devanagari with a virama
        ("\u0645\u200c\u0645", "\u0645\u200c\u0645"),  # zero-width non-joiner, needed in Persian
        (["Lea", "ignored"], "Lea"),  # SAML attributes are lists
        (None, ""),
    ],
)
def test_plain_names_in_any_script_are_kept(value, expected):
    assert clean_name(value) == expected


def test_names_longer_than_100_characters_are_refused():
    assert name_problem("a" * 100) is None
    assert name_problem("a" * 101) == "Use at most 100 characters."


@pytest.mark.django_db
def test_signup_asks_for_names_and_stores_them(client):
    page = client.get(reverse("account_signup")).content.decode()
    assert "We use it to greet you in e-mails." in page
    assert "only if you switch that on" in page
    response = client.post(
        reverse("account_signup"),
        {
            "email": "dirk.jansen@example.com",
            "first_name": " Dirk ",
            "display_name": "Dirk J.",
            **SIGNUP,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="dirk.jansen@example.com")
    assert (user.first_name, user.display_name) == ("Dirk", "Dirk J.")
    assert user.names_chosen_at is not None


@pytest.mark.django_db
def test_signup_without_names_is_fine(client):
    response = client.post(
        reverse("account_signup"), {"email": "anon@example.com", "first_name": "", **SIGNUP}
    )
    assert response.status_code == 302
    user = User.objects.get(email="anon@example.com")
    assert (user.first_name, user.display_name, user.names_chosen_at) == ("", "", None)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["first_name", "display_name"])
def test_signup_refuses_a_name_with_control_characters_and_creates_nothing(client, field):
    response = client.post(
        reverse("account_signup"),
        {"email": "dirk@example.com", field: "Dirk\nBcc: x@evil.example", **SIGNUP},
    )
    assert response.status_code == 200
    assert "Use letters, spaces and punctuation only." in response.content.decode()
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_preferences_edit_names(client_as, ambassador):
    page = client_as(ambassador.user).get(reverse("ambassadors:preferences")).content.decode()
    assert 'name="names-first_name"' in page
    assert 'name="names-display_name"' in page
    data = {
        "names-first_name": "Amber",
        "names-display_name": "Amber de Vries",
        "language": "en",
        "content_languages": "both",
        "digest_weekday": 1,
        "time_zone": "Europe/Amsterdam",
    }
    response = client_as(ambassador.user).post(reverse("ambassadors:preferences"), data)
    assert response.status_code == 302
    ambassador.user.refresh_from_db()
    assert (ambassador.user.first_name, ambassador.user.display_name) == (
        "Amber",
        "Amber de Vries",
    )
    assert ambassador.user.names_chosen_at is not None


@pytest.mark.django_db
def test_preferences_refuse_a_bad_name_and_change_nothing(client_as, ambassador):
    user = ambassador.user
    before = (user.first_name, user.display_name)
    data = {
        "names-first_name": "Amber",
        "names-display_name": "Amber\u202e",
        "language": "nl",
        "content_languages": "both",
        "digest_weekday": 1,
        "time_zone": "Europe/Amsterdam",
    }
    response = client_as(user).post(reverse("ambassadors:preferences"), data)
    assert response.status_code == 200
    assert "Use letters, spaces and punctuation only." in response.content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.display_name) == before
    assert Ambassador.objects.get(pk=ambassador.pk).language == "en"


@pytest.mark.django_db
def test_leaderboard_shows_the_display_name_only_when_opted_in_and_escaped(client_as, guidelines):
    items = ItemFactory.create_batch(2, status=Item.Status.PUBLISHED, publish_at=timezone.now())
    named = AmbassadorFactory(
        user__display_name="<b>Lea</b> & co", user__first_name="Lea", leaderboard_visible=True
    )
    hidden = AmbassadorFactory(user__display_name="Secret Sam", leaderboard_visible=False)
    viewer = AmbassadorFactory(user__display_name="Viewer")
    for item in items:
        ShareFactory(ambassador=named, item=item)
    ShareFactory(ambassador=hidden, item=items[0])
    response = client_as(viewer.user).get("/leaderboard/")
    html = response.content.decode()
    assert [(e.place, e.name) for e in response.context["board"].top] == [
        (1, "<b>Lea</b> & co"),
        (2, ""),
    ]
    assert "&lt;b&gt;Lea&lt;/b&gt; &amp; co" in html
    assert "<b>Lea</b>" not in html
    assert "Secret Sam" not in html


@pytest.mark.django_db
def test_leaderboard_falls_back_to_the_full_name_never_the_address(client_as, guidelines):
    items = ItemFactory.create_batch(2, status=Item.Status.PUBLISHED, publish_at=timezone.now())
    full = AmbassadorFactory(
        user__first_name="Anna", user__last_name="Smit", leaderboard_visible=True
    )
    nameless = AmbassadorFactory(
        user__email="no.name@example.com",
        user__first_name="",
        user__last_name="",
        leaderboard_visible=True,
    )
    for item in items:
        ShareFactory(ambassador=full, item=item)
    ShareFactory(ambassador=nameless, item=items[0])
    response = client_as(full.user).get("/leaderboard/")
    assert [e.name for e in response.context["board"].top] == ["Anna Smit", ""]
    assert "no.name" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("first_name", "display_name", "greeting"),
    [
        ("Dirk", "Dirk Jansen", "Hi Dirk,"),
        ("", "DJ", "Hi DJ,"),
        ("", "", "Hi,"),
    ],
)
def test_email_greets_by_first_name_else_display_name(first_name, display_name, greeting):
    ItemFactory(status=Item.Status.PUBLISHED, publish_at=timezone.now())
    ambassador = AmbassadorFactory(user__first_name=first_name, user__display_name=display_name)
    loaded = with_contact(Ambassador.objects.filter(pk=ambassador.pk)).get()
    assert contact(loaded)[1] == contact(ambassador)[1] == greeting[3:-1]
    message = DigestRenderer().message(digest_preview(ambassador=loaded))
    assert message.body.lstrip().startswith(greeting) or f"\n{greeting}\n" in message.body


@pytest.mark.django_db
def test_studio_shows_author_and_suggester_by_name(client_as, comms_user):
    comms_user.display_name = "Carla <Comms>"
    comms_user.save()
    ItemFactory(author=comms_user, title="Our news")
    html = client_as(comms_user).get("/studio/").content.decode()
    assert "Carla &lt;Comms&gt;" in html
    assert "comms@example.com" not in html


@pytest.mark.django_db
def test_signed_in_as_uses_the_name_not_the_login_name(client):
    UserFactory(email="dirk.jansen@example.com", username="dirk.jansen", display_name="Dirk Jansen")
    response = client.post(
        reverse("account_login"),
        {"login": "dirk.jansen@example.com", "password": "correct horse battery"},
    )
    assert response.status_code == 302
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts == ["Successfully signed in as Dirk Jansen."]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "expected", "chosen"),
    [
        ({"first_name": "", "display_name": ""}, ("Noor", "Noor B."), False),
        ({"first_name": "Noortje", "display_name": ""}, ("Noortje", "Noor B."), True),
    ],
)
def test_sso_signup_form_keeps_the_directory_names_unless_the_person_types_others(
    typed, expected, chosen
):
    from ambassadors.identity.forms import NamesSignupForm

    user = UserFactory(first_name="Noor", display_name="Noor B.")
    form = NamesSignupForm(typed)
    assert form.is_valid()
    form.signup(None, user)
    user.refresh_from_db()
    assert (user.first_name, user.display_name) == expected
    assert (user.names_chosen_at is not None) is chosen


@pytest.mark.django_db
def test_a_directory_department_is_used_at_opt_in_and_not_editable(client_as, guidelines):
    from ambassadors.tests.factories import DepartmentFactory

    sales, support = DepartmentFactory(name="Sales"), DepartmentFactory(name="Support")
    user = UserFactory(department=sales)
    client = client_as(user)
    client.post(reverse("ambassadors:join"), {"accept": "on"})
    ambassador = Ambassador.objects.get(user=user)
    assert ambassador.department == sales
    page = client.get(reverse("ambassadors:preferences")).content.decode()
    assert "From the company directory." in page
    data = {
        "department": support.pk,
        "language": "en",
        "content_languages": "both",
        "digest_weekday": 1,
        "time_zone": "Europe/Amsterdam",
    }
    assert client.post(reverse("ambassadors:preferences"), data).status_code == 302
    ambassador.refresh_from_db()
    assert ambassador.department == sales
