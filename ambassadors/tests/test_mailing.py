"""The shared mail machinery: rendering once per shape, MIME blueprints, one-connection sends."""

import smtplib
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from django.core import mail
from django.utils import timezone

from ambassadors.mail.alerts import alert_message
from ambassadors.mail.delivery import is_transient, messages_send
from ambassadors.mail.digests.schedule import id_batches
from ambassadors.mail.digests.selection import digest_preview
from ambassadors.mail.digests.sending import DigestRenderer
from ambassadors.mail.messages import EmailRenderer, crlf_text, email_render
from ambassadors.models import Ambassador, Item, SiteSettings
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory, ShareFactory


def wire(message):
    """What the SMTP backend hands to the server, parsed back."""
    return message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=default_policy)


def parts(parsed):
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


@pytest.fixture
def news(db):
    SiteSettings.load()
    now = timezone.now()
    return ItemFactory(
        status=Item.Status.PUBLISHED, publish_at=now - timedelta(hours=1), title="Fresh post"
    )


def test_one_batch_renderer_gives_everyone_their_own_values(news):
    amber = AmbassadorFactory(user__first_name="Amber & <Co>", user__email="amber@example.com")
    joran = AmbassadorFactory(user__first_name="Jöran", user__email="joran@example.com")
    nameless = AmbassadorFactory(user__first_name="", user__email="nameless@example.com")
    for network in ("linkedin", "x", "facebook"):
        ShareFactory(ambassador=joran, item=news, network=network)
    renderer = DigestRenderer()

    messages = {
        a.user.email: renderer.message(digest_preview(ambassador=a))
        for a in (amber, joran, nameless)
    }

    assert len(renderer.emails._shapes) == 2  # with and without a name
    assert all(s.blueprint is not None for s in renderer.emails._shapes.values())
    ids = set()
    for address, message in messages.items():
        raw = message.message().as_bytes(linesep="\r\n")
        assert raw.count(b"\n") == raw.count(b"\r\n")  # no bare line feeds on the wire
        parsed = wire(message)
        text, html = parts(parsed)
        assert parsed["To"] == address
        assert parsed["Subject"] == "1 new post to share"
        assert parsed["Date"]
        ids.add(parsed["Message-ID"])
        unsubscribe = parsed["List-Unsubscribe"][1:-1]
        assert f"Stop the weekly e-mail: {unsubscribe}" in text
        assert f'href="{unsubscribe}"' in html
        assert (text, html) == (message.body, message.alternatives[0][0])
    assert len(ids) == 3
    amber_text, amber_html = parts(wire(messages["amber@example.com"]))
    assert "Hi Amber & <Co>," in amber_text
    assert "Hi Amber &amp; &lt;Co&gt;," in amber_html
    joran_text, joran_html = parts(wire(messages["joran@example.com"]))
    assert "Hi Jöran," in joran_text
    assert "You shared 3 times." in joran_text
    assert '<td style="font-weight:bold;">3</td>' in joran_html
    nameless_text, _html = parts(wire(messages["nameless@example.com"]))
    assert nameless_text.startswith("Hi,\n")
    assert "You shared 0 times." in nameless_text


def test_lines_too_long_for_8bit_fall_back_to_normal_serialising(news):
    Item.objects.filter(pk=news.pk).update(body="x" * 1500)
    news.refresh_from_db()
    ambassador = AmbassadorFactory(user__first_name="Amber")
    renderer = EmailRenderer("alert")

    message = alert_message(item=news, ambassador=ambassador, renderer=renderer)

    (shape,) = renderer._shapes.values()
    assert shape.blueprint is None
    text, html = parts(wire(message))
    assert "Hi Amber," in text
    assert "x" * 1500 in html


def test_email_render_builds_one_multipart_message(news):
    message = email_render(
        template="alert",
        context={"item": news, "name": "Amber", "preferences_url": "http://testserver/me/"},
        to=["amber@example.com"],
        language="nl",
    )

    assert message.subject == "Spoed: Fresh post"
    assert message.to == ["amber@example.com"]
    assert "Hoi Amber," in message.body
    assert '<html lang="nl">' in message.alternatives[0][0]


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(554, b"no"), True),
        (smtplib.SMTPResponseException(421, b"busy"), True),
        (smtplib.SMTPResponseException(452, b"full"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad password"), False),
        (smtplib.SMTPDataError(552, b"too big"), False),
        (smtplib.SMTPRecipientsRefused({"a@x": (450, b"later")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no such user")}), False),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (ConnectionRefusedError("refused"), True),
        (TimeoutError("timed out"), True),
        (ValueError("bug"), False),
    ],
)
def test_which_smtp_errors_are_worth_a_retry(exc, transient):
    assert is_transient(exc) is transient


def test_a_message_that_cannot_be_built_is_recorded_and_the_rest_go_out(db):
    def build(key):
        if key == 2:
            raise ValueError("template is broken")
        return email_render(
            template="alert",
            context={"item": {"title": f"Post {key}", "url": "http://testserver/items/x/"}},
            to=[f"p{key}@example.com"],
            language="en",
        )

    outcome = messages_send(keys=[1, 2, 3], build=build)

    assert outcome.sent == [1, 3]
    assert outcome.failed == {2: "ValueError: template is broken"}
    assert [m.to for m in mail.outbox] == [["p1@example.com"], ["p3@example.com"]]


def test_nothing_to_send_opens_no_connection(settings):
    settings.EMAIL_BACKEND = "ambassadors.tests.mailbackends.ScriptedBackend"
    from ambassadors.tests.mailbackends import ScriptedBackend

    ScriptedBackend.reset()
    assert messages_send(keys=[], build=lambda key: None).sent == []
    assert ScriptedBackend.opened == 0


def test_id_batches_pages_by_primary_key(db):
    people = [AmbassadorFactory() for _ in range(5)]

    batches = list(id_batches(Ambassador.objects.all(), 2))

    assert batches == [[a.pk for a in people[0:2]], [a.pk for a in people[2:4]], [people[4].pk]]


def test_an_address_that_would_break_a_header_is_refused_not_filled_in(news):
    ambassador = AmbassadorFactory(user__first_name="Amber")
    ambassador.user.email = "amber@example.com\nBcc: everyone@example.com"
    digest = digest_preview(ambassador=ambassador)
    renderer = DigestRenderer()

    outcome = messages_send(keys=[ambassador.pk], build=lambda pk: renderer.message(digest))

    assert outcome.sent == []
    assert list(outcome.failed) == [ambassador.pk]
    assert "BadHeaderError" in outcome.failed[ambassador.pk]
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    ],
)
def test_digests_go_out_through_the_console_and_file_backends(settings, tmp_path, backend):
    """`make run` prints e-mail to the console: the prepared digest bytes must serialise
    there too, not only over SMTP."""
    from ambassadors.mail.digests.schedule import digest_period
    from ambassadors.mail.digests.sending import digest_batch_send
    from ambassadors.models import DeliveryStatus, DigestDelivery
    from ambassadors.tests.factories import AmbassadorFactory, GuidelinesFactory, ItemFactory

    settings.EMAIL_BACKEND = backend
    settings.EMAIL_FILE_PATH = str(tmp_path)
    GuidelinesFactory(version=1)
    ItemFactory(live=True, title="Fresh news", publish_at=timezone.now() - timedelta(hours=1))
    people = [AmbassadorFactory(user__email=f"p{n}@example.com") for n in range(2)]
    period = digest_period(moment=timezone.now(), time_zone="Europe/Amsterdam")
    result = digest_batch_send(run_id=None, period=period, ambassador_ids=[a.pk for a in people])
    assert result.sent == 2
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


SMUGGLER = "Anna\r.\r\nRSET\r\nMAIL FROM:<x@evil.test>"


def _django6_bytes(message):
    """How Django 6's SMTP backend asks for the bytes: a policy, no line ending."""
    import email.policy

    return message.message(policy=email.policy.SMTP).as_bytes()


@pytest.mark.parametrize(
    "name", [SMUGGLER, "Anna\r.\rRSET", "Anna\n.\nQUIT", "Anna\x0b\x85.\u2028RSET"]
)
@pytest.mark.parametrize(
    "to_bytes", [lambda m: m.message().as_bytes(linesep="\r\n"), _django6_bytes]
)
def test_a_name_with_line_breaks_ends_up_as_one_harmless_line(news, name, to_bytes):
    person = AmbassadorFactory(user__first_name=name, user__email="anna@example.com")
    raw = to_bytes(DigestRenderer().message(digest_preview(ambassador=person)))

    assert raw.count(b"\r") == raw.count(b"\r\n") == raw.count(b"\n")  # CRLF only
    assert b"\r\n.\r\n" not in raw  # nothing could end the SMTP DATA early
    assert b"\r\nRSET" not in raw
    assert b"\r\nQUIT" not in raw
    greeting = next(line for line in raw.split(b"\r\n") if line.startswith(b"Hi Anna"))
    assert greeting.startswith(b"Hi Anna .")
    assert greeting.endswith(b",")


@pytest.mark.parametrize("name", ["Zo\u00eb", "J\u00f6ran", "\u0141ucja"])
def test_non_ascii_names_go_into_parts_labelled_8bit(news, name):
    for person_name in ("Amber", name):  # the shape is built from an ASCII name first
        person = AmbassadorFactory(user__first_name=person_name)
        message = DigestRenderer().message(digest_preview(ambassador=person))
    raw = message.message().as_bytes(linesep="\r\n")
    assert b"Content-Transfer-Encoding: 7bit" not in raw
    assert f"Hi {name},".encode() in raw
    text, html = parts(wire(message))
    assert f"Hi {name}," in text
    assert f"Hi {name}," in html


def test_alert_parts_with_a_non_ascii_name_are_labelled_8bit(news, settings):
    news.is_urgent = True
    news.save(update_fields=["is_urgent"])
    person = AmbassadorFactory(user__first_name="Zo\u00eb")
    raw = alert_message(ambassador=person, item=news).message().as_bytes(linesep="\r\n")
    assert b"Content-Transfer-Encoding: 7bit" not in raw
    assert "Zo\u00eb".encode() in raw


@pytest.mark.parametrize(
    ("from_email", "domain"),
    [
        ("Portal <portal@news.example.com>", "news.example.com"),
        ("portal@example.nl", "example.nl"),
        ("Portal <portal@b\u00fccher.example>", "xn--bcher-kva.example"),
    ],
)
def test_message_id_uses_the_sending_domain(news, settings, from_email, domain):
    settings.DEFAULT_FROM_EMAIL = from_email
    person = AmbassadorFactory()
    digest = DigestRenderer().message(digest_preview(ambassador=person))
    alert = alert_message(ambassador=person, item=news)
    for message in (digest, alert):
        assert wire(message)["Message-ID"].endswith(f"@{domain}>")


@pytest.mark.parametrize("value", ["one\rtwo", "one\ntwo", "one\r\ntwo", "one\u2028two"])
def test_filled_body_values_get_crlf_line_breaks_and_no_control_characters(value):
    assert crlf_text(value + "\x00\x07") == b"one\r\ntwo"


@pytest.mark.parametrize(
    "backend",
    [
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    ],
)
def test_one_off_messages_go_out_through_the_console_and_file_backends(settings, tmp_path, backend):
    """Messages rendered one at a time (notifications, account mail) are serialised by
    Django's own MIME classes, which take no ``policy``: the console and file backends of
    ``make run`` must still print them."""
    from django.core.mail import get_connection

    settings.EMAIL_BACKEND = backend
    settings.EMAIL_FILE_PATH = str(tmp_path)
    from ambassadors.mail.messages import PreparedEmail

    message = PreparedEmail(subject="Zoë", body="Hoi Zoë,\nregel twee", to=["a@example.com"])
    message.attach_alternative("<p>Hoi Zoë</p>", "text/html")
    assert get_connection().send_messages([message]) == 1
    raw = message.message().as_bytes(linesep="\r\n")
    assert message.message().as_bytes() == raw.replace(b"\r\n", b"\n")
    assert message.message().as_bytes(unixfrom=True, linesep="\n").startswith(b"From ")
