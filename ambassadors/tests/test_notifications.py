"""Issue 12, part 5: who is told what, switches, the inbox, batched idempotent e-mail."""

from __future__ import annotations

import smtplib
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ambassadors.models import Item, Notification, NotificationSwitch
from ambassadors.notifications import notifications_email_due
from ambassadors.publishing.items import item_create, item_update
from ambassadors.publishing.revisions import revision_approve, revision_reject
from ambassadors.publishing.workflow import item_approve, item_archive, item_return, item_submit
from ambassadors.suggestions import suggestion_accept, suggestion_decline
from ambassadors.tests.factories import AmbassadorFactory, CommsUserFactory, SuggestionFactory
from ambassadors.tests.test_publishing import PLAIN_EN

Kind = Notification.Kind


def inbox(user) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "subject")
    )


@pytest.fixture
def team(comms_user, comms_user_2):
    third = CommsUserFactory(email="third@example.com")
    return comms_user, comms_user_2, third


def test_each_step_tells_the_right_people_and_never_the_actor(
    team, django_capture_on_commit_callbacks
):
    author, reviewer, third = team
    with django_capture_on_commit_callbacks():
        item = item_create(by=author, title="Open day", body=PLAIN_EN)
        item_submit(item=item, by=author)
    assert inbox(author) == []
    assert inbox(reviewer) == [(Kind.REVIEW_REQUESTED, "Open day")]
    assert inbox(third) == [(Kind.REVIEW_REQUESTED, "Open day")]
    item_return(item=item, by=reviewer, note="Add a date")
    returned = Notification.objects.get(recipient=author)
    assert (returned.kind, returned.note, returned.actor_label) == (
        Kind.RETURNED,
        "Add a date",
        reviewer.shown_name,
    )
    item_submit(item=item, by=author)
    item_approve(item=item, by=reviewer)
    assert [k for k, _s in inbox(author)] == [Kind.RETURNED, Kind.APPROVED, Kind.PUBLISHED]
    item_update(item=item, by=author, title="Open day moved")
    assert inbox(third)[-1] == (Kind.REVISION_WAITING, "Open day")
    revision_approve(revision=item.revisions.get(), by=third)
    assert inbox(author)[-1] == (Kind.REVISION_DECIDED, "Open day moved")
    assert Kind.REVISION_WAITING not in [k for k, _s in inbox(author)]


def test_a_switched_off_kind_creates_nothing(team):
    author, reviewer, third = team
    NotificationSwitch.objects.create(user=reviewer, kind=Kind.REVIEW_REQUESTED)
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    assert inbox(reviewer) == []
    assert inbox(third) == [(Kind.REVIEW_REQUESTED, "Open day")]


def test_suggesters_hear_whether_their_link_was_taken(comms_user, guidelines):
    taken = SuggestionFactory(link="https://example.com/a")
    declined = SuggestionFactory(link="https://example.com/b")
    suggestion_accept(suggestion=taken, by=comms_user)
    suggestion_decline(suggestion=declined, by=comms_user, reason="We wrote about it last week")
    assert inbox(taken.ambassador.user) == [(Kind.SUGGESTION_ACCEPTED, "https://example.com/a")]
    note = Notification.objects.get(recipient=declined.ambassador.user)
    assert (note.kind, note.note) == (Kind.SUGGESTION_DECLINED, "We wrote about it last week")


def test_ten_submissions_give_each_reviewer_one_email_and_a_rerun_sends_nothing(team, settings):
    settings.NOTIFICATION_BATCH_SECONDS = 60
    author, reviewer, third = team
    for n in range(10):
        item = item_create(by=author, title=f"Story {n}", body=PLAIN_EN)
        item_submit(item=item, by=author)
    assert notifications_email_due() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["reviewer@example.com", "third@example.com"]
    message = mail.outbox[0]
    assert message.subject == "10 things wait for you"
    assert all(f"Story {n}" in message.body for n in range(10))
    assert notifications_email_due() == 0
    # Within the window a new one waits; after it, it goes out alone.
    item = item_create(by=author, title="Story 10", body=PLAIN_EN)
    item_submit(item=item, by=author)
    assert notifications_email_due() == 0
    later = timezone.now() + timedelta(seconds=61)
    assert notifications_email_due(now=later) == 2
    assert len(mail.outbox) == 4
    assert mail.outbox[-1].subject == "An item waits for your review: Story 10"


def test_the_email_is_in_the_readers_language(comms_user, guidelines):
    reviewer = CommsUserFactory(email="nl@example.com", first_name="Sanne")
    AmbassadorFactory(user=reviewer, language="nl", guidelines_version=guidelines.version)
    item = item_create(by=comms_user, title="Open dag", body=PLAIN_EN)
    item_submit(item=item, by=comms_user)
    notifications_email_due()
    message = mail.outbox[0]
    assert message.to == ["nl@example.com"]
    assert message.subject == "Een item wacht op jouw controle: Open dag"
    assert message.body.startswith("Hoi Sanne,")


def test_a_failed_send_releases_the_claims_for_the_retry(team, scripted):
    author, reviewer, third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    scripted.on_open = [smtplib.SMTPServerDisconnected("gone")]
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications_email_due()
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    assert notifications_email_due() == 2


def test_the_inbox_counts_unread_marks_read_and_hides_others(client_as, team):
    author, reviewer, third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    client = client_as(reviewer)
    badge = client.get("/me/notifications/badge/").content.decode()
    assert ">1<" in badge
    page = client.get("/me/notifications/")
    assert [n.subject for n, _url in page.context["rows"]] == ["Open day"]
    mine = Notification.objects.get(recipient=reviewer)
    theirs = Notification.objects.get(recipient=third)
    assert client.get(f"/me/notifications/{mine.pk}/open/").status_code == 405
    assert client.post(f"/me/notifications/{theirs.pk}/open/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    opened = client.post(f"/me/notifications/{mine.pk}/open/")
    assert opened["Location"] == f"/studio/items/{item.pk}/"
    assert client.get("/me/notifications/badge/").content.decode().strip() == ""
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_switches_page_turns_kinds_off_and_on(client_as, comms_user):
    client = client_as(comms_user)
    kinds = [k for k in Kind.values if k != Kind.PUBLISHED]
    assert client.post("/me/notifications/settings/", {"kinds": kinds}).status_code == 302
    assert list(NotificationSwitch.objects.values_list("kind", flat=True)) == [Kind.PUBLISHED]
    client.post("/me/notifications/settings/", {"kinds": Kind.values})
    assert not NotificationSwitch.objects.exists()


def test_ambassadors_see_only_their_own_kinds(client_as, ambassador):
    form = client_as(ambassador.user).get("/me/notifications/settings/").context["form"]
    assert [value for value, _label in form.fields["kinds"].choices] == [
        Kind.SUGGESTION_ACCEPTED,
        Kind.SUGGESTION_DECLINED,
    ]


def test_sending_is_queued_after_commit_only(team, django_capture_on_commit_callbacks):
    author, _reviewer, _third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    with django_capture_on_commit_callbacks() as callbacks:
        item_submit(item=item, by=author)
    assert len(callbacks) == 1


# --- With the real worker ----------------------------------------------------------------------


@pytest.mark.services("redis")
@pytest.mark.django_db(transaction=True)
def test_a_burst_gives_each_reviewer_one_email_through_the_real_worker(
    settings, celery_redis_worker
):
    from ambassadors.tasks import notifications_email_due_task
    from ambassadors.tests.smtp_sink import SmtpSink

    # The window must outlast the ten submissions even on a loaded CI machine: the first
    # e-mail goes out one window after the first submission.
    settings.NOTIFICATION_BATCH_SECONDS = 15
    author = CommsUserFactory(email="author@example.com")
    reviewers = [CommsUserFactory(email=f"reviewer{n}@example.com") for n in range(3)]
    with SmtpSink() as sink:
        for name, value in sink.email_settings().items():
            setattr(settings, name, value)
        for n in range(10):
            item = item_create(by=author, title=f"Story {n}", body=PLAIN_EN)
            item_submit(item=item, by=author)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not Notification.objects.filter(emailed_at__isnull=True).exists():
                break
            time.sleep(0.2)
        time.sleep(4)  # the other nine queued tasks run and find nothing
        first = sink.handler.counts()
        again = notifications_email_due_task.apply_async(ignore_result=False).get(timeout=30)
        assert again == 0
        assert sink.handler.counts() == first
    assert first == Counter({r.email: 1 for r in reviewers})
    assert Item.objects.count() == 10


@pytest.mark.parametrize("count", [3, 30])
def test_the_inbox_runs_the_same_queries_for_3_and_30_notifications(
    client_as, team, django_assert_num_queries, count
):
    author, reviewer, _third = team
    for n in range(count):
        item = item_create(by=author, title=f"Story {n}", body=PLAIN_EN)
        item_submit(item=item, by=author)
    client = client_as(reviewer)
    client.get("/me/notifications/")
    with django_assert_num_queries(6):
        response = client.get("/me/notifications/")
    assert len(response.context["rows"]) == count
    assert response.context["unread"] == count


def unread(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_a_done_review_is_read_for_every_reviewer_and_not_e_mailed(client_as, team):
    author, reviewer, third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    assert unread(reviewer) == unread(third) == [Kind.REVIEW_REQUESTED]

    item_approve(item=item, by=reviewer)

    assert unread(reviewer) == unread(third) == []
    assert Notification.objects.filter(kind=Kind.REVIEW_REQUESTED, email_wanted=True).count() == 0
    assert notifications_email_due() == 1  # only the author's "approved" and "published"
    assert mail.outbox[0].to == [author.email]
    client = client_as(third)
    page = client.get("/me/notifications/").content.decode()
    assert "An item waits for your review" in page
    assert 'class="badge">New<' not in page
    assert client.get("/me/notifications/badge/").content.decode().strip() == ""


@pytest.mark.parametrize("step", ["return", "archive"])
def test_a_review_request_ends_when_the_item_leaves_review_any_way(team, step):
    author, reviewer, third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    if step == "return":
        item_return(item=item, by=reviewer, note="Add a date")
    else:
        item_archive(item=item, by=reviewer)
    assert unread(reviewer) == unread(third) == []


def test_a_sent_back_note_ends_when_the_author_sends_the_item_again(team):
    author, reviewer, third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    item_return(item=item, by=reviewer, note="Add a date")
    assert unread(author) == [Kind.RETURNED]
    item_submit(item=item, by=author)
    assert unread(author) == []
    assert unread(reviewer) == unread(third) == [Kind.REVIEW_REQUESTED]  # the new request


@pytest.mark.parametrize("decision", ["approve", "reject", "replace"])
def test_a_waiting_change_is_done_for_every_reviewer_once_decided(team, decision):
    author, reviewer, third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    item_approve(item=item, by=reviewer)
    Notification.objects.update(read_at=timezone.now())
    item_update(item=item, by=author, title="Open day moved")
    first = item.revisions.get()
    assert unread(reviewer) == unread(third) == [Kind.REVISION_WAITING]

    if decision == "approve":
        revision_approve(revision=first, by=third)
    elif decision == "reject":
        revision_reject(revision=first, by=third, note="Keep the old title")
    else:
        item_update(item=item, by=author, title="Open day moved again")

    waiting = Notification.objects.filter(key=f"revision:{first.pk}:proposed")
    assert waiting.count() == 2
    assert not waiting.filter(read_at__isnull=True).exists()
    assert not waiting.filter(email_wanted=True, emailed_at__isnull=True).exists()
    expected = [Kind.REVISION_WAITING] if decision == "replace" else []  # the newer change
    assert unread(reviewer) == unread(third) == expected


def test_archiving_ends_every_notification_about_the_item(team):
    author, reviewer, third = team
    item = item_create(by=author, title="Open day", body=PLAIN_EN)
    item_submit(item=item, by=author)
    item_approve(item=item, by=reviewer)
    item_update(item=item, by=author, title="Open day moved")
    assert unread(author) == [Kind.APPROVED, Kind.PUBLISHED]
    item_archive(item=item, by=third)
    assert Notification.objects.filter(item=item, read_at__isnull=True).count() == 0
