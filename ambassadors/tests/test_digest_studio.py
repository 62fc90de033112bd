"""Studio pages for weekly e-mails: runs with live progress, problems, previews, test sends."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ambassadors.models import (
    AlertDelivery,
    DeliveryStatus,
    DigestDelivery,
    DigestRun,
    Item,
    SiteSettings,
)
from ambassadors.tests.factories import AmbassadorFactory, ItemFactory

PAGES = [
    ("get", "/studio/digests/"),
    ("get", "/studio/digests/preview/?q=a"),
    ("get", "/studio/digests/preview/{ambassador}/"),
    ("get", "/studio/digests/preview/{ambassador}/email.html"),
    ("get", "/studio/digests/runs/{run}/"),
    ("post", "/studio/digests/preview/{ambassador}/test/"),
    ("post", "/studio/digests/runs/{run}/resend-unknown/"),
]


@pytest.fixture
def subject(db):
    ItemFactory(
        status=Item.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=1),
        title="Fresh post",
    )
    return AmbassadorFactory(user__first_name="Samira", user__email="samira@example.com")


@pytest.fixture
def run(db):
    return DigestRun.objects.create(planned=10, sent=4, skipped=1, periods="2026-W48")


def fill(url, subject, run):
    return url.format(ambassador=subject.pk, run=run.pk)


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_anonymous_users_go_to_sign_in(client, subject, run, method, url):
    response = getattr(client, method)(fill(url, subject, run))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("method", "url"), PAGES)
def test_ambassadors_are_refused(client_as, ambassador, subject, run, method, url):
    response = getattr(client_as(ambassador.user), method)(fill(url, subject, run))
    assert response.status_code == 403
    assert mail.outbox == []


def test_runs_page_shows_progress_and_problems(client_as, comms_user, subject, run):
    DigestDelivery.objects.create(
        ambassador=subject,
        period="2026-W48",
        run=run,
        status=DeliveryStatus.FAILED,
        error="SMTPRecipientsRefused: 550 No such user",
    )
    other = AmbassadorFactory()
    item = ItemFactory(title="Storm warning")
    AlertDelivery.objects.create(ambassador=other, item=item, status=DeliveryStatus.UNKNOWN)

    response = client_as(comms_user).get("/studio/digests/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<progress max="10" value="5">' in html
    assert f'hx-get="/studio/digests/runs/{run.pk}/" hx-trigger="every 2s"' in html
    assert "550 No such user" in html
    assert "Storm warning" in html
    assert "<script>" not in html
    assert ' style="' not in html


@pytest.mark.parametrize("runs", [1, 12])
def test_runs_page_queries_do_not_grow_with_runs(
    client_as, comms_user, subject, runs, django_assert_num_queries
):
    for n in range(runs):
        DigestRun.objects.create(planned=n + 1, sent=n)
        DigestDelivery.objects.create(
            ambassador=AmbassadorFactory(), period=f"2026-W{n + 10}", status=DeliveryStatus.FAILED
        )
        AlertDelivery.objects.create(
            ambassador=AmbassadorFactory(), item=ItemFactory(), status=DeliveryStatus.UNKNOWN
        )
    client = client_as(comms_user)
    SiteSettings.load()

    with django_assert_num_queries(9):
        response = client.get("/studio/digests/")

    assert response.status_code == 200


def test_polling_stops_when_the_run_is_finished(client_as, comms_user, run):
    client = client_as(comms_user)

    running = client.get(f"/studio/digests/runs/{run.pk}/", headers={"HX-Request": "true"})
    DigestRun.objects.filter(pk=run.pk).update(sent=9, finished_at=timezone.now())
    finished = client.get(f"/studio/digests/runs/{run.pk}/", headers={"HX-Request": "true"})

    assert running.content.decode().startswith(f'<tr id="run-{run.pk}" hx-get=')
    assert 'hx-trigger="every 2s"' in running.content.decode()
    assert finished.content.decode().startswith(f'<tr id="run-{run.pk}">')
    assert "hx-trigger" not in finished.content.decode()
    assert '<progress max="10" value="10">' in finished.content.decode()


def test_run_page_lists_its_unknown_deliveries(client_as, comms_user, subject, run):
    DigestDelivery.objects.create(
        ambassador=subject, period="2026-W48", run=run, status=DeliveryStatus.UNKNOWN
    )

    response = client_as(comms_user).get(f"/studio/digests/runs/{run.pk}/")

    assert response.status_code == 200
    assert "Samira" in response.content.decode()
    assert "Unknown" in response.content.decode()


def test_search_finds_ambassadors_by_name_or_address(client_as, comms_user, subject):
    response = client_as(comms_user).get("/studio/digests/preview/", {"q": "samira@"})

    assert response.status_code == 200
    assert f'href="/studio/digests/preview/{subject.pk}/"' in response.content.decode()


def test_preview_shows_the_digest_in_the_browser(client_as, comms_user, subject):
    response = client_as(comms_user).get(f"/studio/digests/preview/{subject.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "1 new post to share" in html
    assert "Fresh post" in html
    assert f'src="/studio/digests/preview/{subject.pk}/email.html"' in html
    assert 'sandbox=""' in html


def test_preview_html_may_be_framed_by_us_and_runs_no_scripts(client_as, comms_user, subject):
    response = client_as(comms_user).get(f"/studio/digests/preview/{subject.pk}/email.html")

    assert response.status_code == 200
    assert b"Fresh post" in response.content
    csp = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in csp
    assert "script-src 'none'" in csp
    assert "frame-ancestors 'self'" in csp
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_send_a_test_to_myself(client_as, comms_user, subject):
    response = client_as(comms_user).post(f"/studio/digests/preview/{subject.pk}/test/")

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["comms@example.com"]]
    assert mail.outbox[0].subject == "[Test] 1 new post to share"
    assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
    assert DigestDelivery.objects.count() == 0


def test_test_send_needs_post(client_as, comms_user, subject):
    response = client_as(comms_user).get(f"/studio/digests/preview/{subject.pk}/test/")
    assert response.status_code == 405
    assert mail.outbox == []


def test_runs_page_says_when_weekly_emails_go_out(client_as, comms_user):
    site = SiteSettings.load()
    site.digest_send_hour = 9
    site.save()
    client = client_as(comms_user)

    on = client.get("/studio/digests/").content.decode()
    SiteSettings.objects.filter(pk=site.pk).update(digests_enabled=False)
    off = client.get("/studio/digests/").content.decode()

    assert "They go out from 9:00 on each person" in on
    assert "Weekly e-mails are off." in off
    assert 'href="/studio/settings/"' in on


@pytest.fixture
def run_with_unknown(db):
    """A run of five: two sent, three left unknown by a worker that died."""
    ItemFactory(
        status=Item.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=1),
        title="Fresh post",
    )
    period = "2026-W48"
    run = DigestRun.objects.create(planned=5, sent=2, unknown=3, periods=period)
    people = [AmbassadorFactory(user__email=f"p{n}@example.com") for n in range(5)]
    for n, person in enumerate(people):
        DigestDelivery.objects.create(
            ambassador=person,
            period=period,
            run=run,
            status=DeliveryStatus.SENT if n < 2 else DeliveryStatus.UNKNOWN,
            claimed_at=timezone.now() - timedelta(hours=2),
        )
    return run, people


def test_resending_to_those_marked_unknown_sends_once_each_and_never_to_the_sent(
    client_as, comms_user, run_with_unknown, django_capture_on_commit_callbacks
):
    from ambassadors.mail.digests.sending import digest_resend_claimed
    from ambassadors.models import DigestRunEvent

    run, people = run_with_unknown
    page = client_as(comms_user).get(f"/studio/digests/runs/{run.pk}/").content.decode()
    assert "Some of them may get it twice." in page
    assert "Send again to 3 people" in page

    url = f"/studio/digests/runs/{run.pk}/resend-unknown/"
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as(comms_user).post(url)
    assert response.status_code == 302
    assert len(callbacks) == 1  # the task is queued after commit
    token = str(DigestDelivery.objects.filter(run=run, status="claimed").first().claim)

    with django_capture_on_commit_callbacks() as again:
        client_as(comms_user).post(url)  # a second press finds nobody left
    assert again == []

    result = digest_resend_claimed(run_id=run.pk, token=token)
    assert digest_resend_claimed(run_id=run.pk, token=token).sent == 0  # task runs twice
    assert result.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "p2@example.com",
        "p3@example.com",
        "p4@example.com",
    ]
    statuses = dict(DigestDelivery.objects.values_list("ambassador__user__email", "status"))
    assert set(statuses.values()) == {DeliveryStatus.SENT}
    run.refresh_from_db()
    assert (run.sent, run.unknown, run.failed) == (5, 0, 0)
    assert run.finished_at is not None
    event = DigestRunEvent.objects.get(run=run)
    assert (event.actor, event.count, event.action) == (comms_user, 3, "resend_unknown")
    assert "sent again to those marked unknown (3 people)" in (
        client_as(comms_user).get(f"/studio/digests/runs/{run.pk}/").content.decode()
    )


def test_resend_is_refused_as_get_and_changes_nothing(client_as, comms_user, run_with_unknown):
    run, _people = run_with_unknown
    response = client_as(comms_user).get(f"/studio/digests/runs/{run.pk}/resend-unknown/")
    assert response.status_code == 405
    assert DigestDelivery.objects.filter(status=DeliveryStatus.UNKNOWN).count() == 3
