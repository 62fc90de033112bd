"""Issue 12, part 2 and 7: reviewed edits of live items, and the editor's fixes (error
summary, kept picture, sent-back label and note, past dates, the no-topic rule)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from ambassadors.mail.digests.selection import digest_preview
from ambassadors.models import AuditEvent, Item, ItemEvent, ItemRevision, SiteSettings
from ambassadors.publishing.items import item_create, item_update
from ambassadors.publishing.revisions import revision_approve, revision_diff, revision_reject
from ambassadors.publishing.rules import ConfirmationNeeded, PublishingError
from ambassadors.publishing.workflow import item_approve, item_return, item_submit
from ambassadors.tests.factories import (
    AmbassadorFactory,
    DepartmentFactory,
    TopicFactory,
)
from ambassadors.tests.test_publishing import CORPORATE_EN, PLAIN_EN

Status = Item.Status
Audit = AuditEvent.Action
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


@pytest.fixture
def live(comms_user, comms_user_2):
    item = item_create(
        by=comms_user,
        title="Open day",
        body=PLAIN_EN,
        link="https://example.com/open-day",
        share_texts=[("linkedin", "Come to our open day")],
    )
    item_submit(item=item, by=comms_user)
    item_approve(item=item, by=comms_user_2)
    item.refresh_from_db()
    return item


def live_view(item: Item) -> dict:
    fresh = Item.objects.get(pk=item.pk)
    return {
        "title": fresh.title,
        "body": fresh.body,
        "link": fresh.link,
        "expires_at": fresh.expires_at,
        "audience": list(fresh.audience.values_list("name", flat=True)),
        "share_texts": list(fresh.share_texts.values_list("network", "text")),
        "status": fresh.status,
    }


def test_an_edit_to_a_live_item_waits_as_a_revision_and_the_live_item_stays(
    live, comms_user, comms_user_2
):
    before = live_view(live)
    sales = DepartmentFactory(name="Sales")
    item_update(
        item=live,
        by=comms_user,
        title="Open day on Sunday",
        link="https://example.com/sunday",
        audience=[sales],
        share_texts=[("linkedin", "Come on Sunday")],
        expires_at=timezone.now() + timedelta(days=3),
    )
    assert live_view(live) == before
    revision = ItemRevision.objects.get()
    assert (revision.status, revision.author) == (ItemRevision.Status.PENDING, comms_user)
    diff = {row["field"]: (row["old"], row["new"]) for row in revision_diff(revision)}
    assert diff["title"] == ("Open day", "Open day on Sunday")
    assert diff["link"] == ("https://example.com/open-day", "https://example.com/sunday")
    assert diff["audience"] == ([], ["Sales"])
    assert diff["share_texts"] == (["linkedin: Come to our open day"], ["linkedin: Come on Sunday"])
    assert AuditEvent.objects.filter(action=Audit.REVISION_PROPOSED).count() == 1
    assert not live.events.filter(action=ItemEvent.Action.EDITED).exists()

    with pytest.raises(PublishingError):
        revision_approve(revision=revision, by=comms_user)
    assert live_view(live) == before

    revision_approve(revision=revision, by=comms_user_2, note="Fine")
    after = live_view(live)
    assert after["title"] == "Open day on Sunday"
    assert after["link"] == "https://example.com/sunday"
    assert after["audience"] == ["Sales"]
    assert after["share_texts"] == [("linkedin", "Come on Sunday")]
    assert after["status"] == Status.PUBLISHED
    revision.refresh_from_db()
    assert (revision.status, revision.decided_by) == (ItemRevision.Status.APPROVED, comms_user_2)
    edited = AuditEvent.objects.get(action=Audit.ITEM_EDITED)
    assert edited.changes["title"] == {"old": "Open day", "new": "Open day on Sunday"}
    assert edited.actor == comms_user_2


def test_topics_and_featured_go_straight_through_on_a_live_item(live, comms_user):
    climate = TopicFactory(slug="climate")
    item_update(item=live, by=comms_user, topics=[climate], is_featured=True)
    live.refresh_from_db()
    assert live.is_featured is True
    assert list(live.topics.values_list("slug", flat=True)) == ["climate"]
    assert not ItemRevision.objects.exists()


def test_making_a_live_item_staff_only_is_immediate_and_the_way_back_is_reviewed(live, comms_user):
    item_update(item=live, by=comms_user, internal_only=True)
    live.refresh_from_db()
    assert live.internal_only is True
    assert not ItemRevision.objects.exists()

    item_update(item=live, by=comms_user, internal_only=False)
    live.refresh_from_db()
    assert live.internal_only is True
    revision = ItemRevision.objects.get(item=live)
    assert revision.proposed == {"internal_only": False}


def test_a_sent_back_revision_leaves_the_live_item_as_it_was(live, comms_user, comms_user_2):
    before = live_view(live)
    item_update(item=live, by=comms_user, body=PLAIN_EN + " New line.")
    revision = ItemRevision.objects.get()
    with pytest.raises(PublishingError):
        revision_reject(revision=revision, by=comms_user_2, note="  ")
    revision_reject(revision=revision, by=comms_user_2, note="Keep it short")
    assert live_view(live) == before
    revision.refresh_from_db()
    assert (revision.status, revision.note) == (ItemRevision.Status.REJECTED, "Keep it short")
    with pytest.raises(PublishingError):
        revision_approve(revision=revision, by=comms_user_2)
    assert live_view(live) == before


def test_a_newer_edit_replaces_the_pending_revision(live, comms_user):
    item_update(item=live, by=comms_user, title="First try")
    item_update(item=live, by=comms_user, title="Second try")
    statuses = list(ItemRevision.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == [ItemRevision.Status.WITHDRAWN, ItemRevision.Status.PENDING]


def test_a_hard_to_read_revision_needs_the_tick_and_is_recorded_as_an_override(
    live, comms_user, comms_user_2
):
    item_update(item=live, by=comms_user, body=CORPORATE_EN)
    revision = ItemRevision.objects.get()
    with pytest.raises(ConfirmationNeeded):
        revision_approve(revision=revision, by=comms_user_2)
    assert Item.objects.get(pk=live.pk).body == PLAIN_EN
    revision_approve(revision=revision, by=comms_user_2, confirm_corporate=True)
    assert Item.objects.get(pk=live.pk).body == CORPORATE_EN
    assert AuditEvent.objects.filter(action=Audit.OVERRIDE_CORPORATE, actor=comms_user_2).exists()


def test_with_review_off_a_live_edit_goes_live_at_once_and_is_recorded(live, comms_user):
    SiteSettings.objects.update(review_required=False)
    item_update(item=live, by=comms_user, title="Changed now")
    assert Item.objects.get(pk=live.pk).title == "Changed now"
    assert not ItemRevision.objects.exists()
    event = AuditEvent.objects.get(action=Audit.ITEM_EDITED)
    assert event.changes == {"title": {"old": "Open day", "new": "Changed now"}}


def test_the_change_page_shows_the_diff_and_only_another_member_may_approve(
    client, live, comms_user, comms_user_2
):
    item_update(item=live, by=comms_user, title="Open day on Sunday")
    client.force_login(comms_user)
    page = client.get(f"/studio/items/{live.pk}/change/")
    assert page.status_code == 200
    assert page.context["allowed"] is False
    assert (
        b'class="word-diff">Open day <ins><span class="visually-hidden">added: </span>'
        b"on Sunday</ins></td>"
    ) in page.content
    refused = client.post(f"/studio/items/{live.pk}/change/", {"approve": "1"})
    assert refused.status_code == 302
    assert Item.objects.get(pk=live.pk).title == "Open day"
    client.force_login(comms_user_2)
    done = client.post(f"/studio/items/{live.pk}/change/", {"approve": "1", "approve-note": ""})
    assert done.status_code == 302
    assert Item.objects.get(pk=live.pk).title == "Open day on Sunday"


def test_the_studio_edit_of_a_live_item_says_it_waits_and_starts_from_the_change(
    client, live, comms_user
):
    client.force_login(comms_user)
    form = client.get(f"/studio/items/{live.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "title": "Open day, new time",
            "texts-TOTAL_FORMS": "1",
            "texts-INITIAL_FORMS": "0",
            "texts-0-network": "linkedin",
            "texts-0-text": "Come to our open day",
        }
    )
    data.pop("topics", None)
    data.pop("audience", None)
    data.pop("translation_of", None)
    data.pop("is_featured", None)
    data.pop("is_urgent", None)
    data["publish_at"] = timezone.localtime(live.publish_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/studio/items/{live.pk}/edit/", data, follow=True)
    assert "Saved as a change for review" in response.content.decode()
    assert Item.objects.get(pk=live.pk).title == "Open day"
    revision = ItemRevision.objects.get()
    assert revision.proposed == {"title": "Open day, new time"}
    again = client.get(f"/studio/items/{live.pk}/edit/")
    assert again.context["form"].initial["title"] == "Open day, new time"


# --- The editor -------------------------------------------------------------------------------


def png_upload(name="office.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 450), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def new_item_data(**overrides) -> dict:
    data = {
        "title": "Our new office",
        "body": PLAIN_EN,
        "language": "en",
        "texts-TOTAL_FORMS": "0",
        "texts-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_a_failed_save_lists_every_error_and_keeps_the_chosen_picture(
    client_as, comms_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_as(comms_user)
    response = client.post(
        "/studio/items/new/",
        new_item_data(title="", image=png_upload(), image_alt="Our office", link="ftp://x"),
    )
    assert response.status_code == 200
    assert [(e["field_id"], e["message"]) for e in response.context["errors"]] == [
        ("id_title", "This field is required."),
        ("id_link", "Enter a valid URL."),
    ]
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert '<a href="#id_title">' in html
    assert "We kept your picture office.png" in html
    held = response.context["form"].data["held_image"]
    assert held
    assert not Item.objects.exists()
    # The second try sends no file: the kept picture is used.
    saved = client.post(
        "/studio/items/new/", new_item_data(image_alt="Our office", held_image=held)
    )
    assert saved.status_code == 302
    item = Item.objects.get()
    assert item.image.name.endswith("office.png")
    # Someone else's reference is refused: no picture.
    other = client.post(
        "/studio/items/new/",
        new_item_data(title="Other", image_alt="x", held_image=held[:-2] + "xx"),
    )
    assert other.status_code == 302
    assert not Item.objects.get(title="Other").image


def test_a_sent_back_item_is_labelled_and_shows_the_note_at_the_top(
    client_as, comms_user, comms_user_2
):
    item = item_create(by=comms_user, title="Needs work", body=PLAIN_EN)
    item_submit(item=item, by=comms_user)
    item_return(item=item, by=comms_user_2, note="Add the date, please")
    client = client_as(comms_user)
    listing = client.get("/studio/").content.decode()
    assert "Sent back" in listing
    edit = client.get(f"/studio/items/{item.pk}/edit/").content.decode()
    assert edit.index("Add the date, please") < edit.index('name="title"')
    detail = client.get(f"/studio/items/{item.pk}/").content.decode()
    assert "sent this back" in detail
    # Once sent for review again, it is no longer "sent back".
    item_submit(item=item, by=comms_user)
    assert "Sent back" not in client.get("/studio/?status=in_review").content.decode()


def test_past_dates_warn_or_refuse(client_as, comms_user):
    client = client_as(comms_user)
    with time_machine.travel(NOW, tick=False):
        ended = client.post("/studio/items/new/", new_item_data(expires_at="2026-11-10T10:00"))
        assert ended.status_code == 200
        assert [e["field_id"] for e in ended.context["errors"]] == ["id_expires_at"]
        assert not Item.objects.exists()
        started = client.post(
            "/studio/items/new/", new_item_data(publish_at="2026-11-10T10:00"), follow=True
        )
        assert "The start date has passed" in started.content.decode()
        assert Item.objects.count() == 1


def test_no_topic_warns_and_the_rule_is_that_topic_followers_do_not_get_it(
    client_as, comms_user, guidelines
):
    climate = TopicFactory(slug="climate")
    AmbassadorFactory(topics=[climate], guidelines_version=guidelines.version)
    follows_nothing = AmbassadorFactory(guidelines_version=guidelines.version)
    page = client_as(comms_user).get("/studio/items/new/").content.decode()
    assert (
        "No topic: in the weekly e-mail this reaches only people who follow no topic "
        "(1 of 2 ambassadors)." in page
    )
    assert page.count("data-no-topic-warning") == 1
    follows_climate = AmbassadorFactory(topics=[climate], guidelines_version=guidelines.version)
    now = timezone.now()
    item = item_create(by=comms_user, title="For all", body=PLAIN_EN)
    Item.objects.filter(pk=item.pk).update(status=Status.PUBLISHED, publish_at=now)

    def titles(ambassador):
        preview = digest_preview(ambassador=ambassador, now=now + timedelta(minutes=1))
        return [entry.title for entry in preview.items]

    assert titles(follows_nothing) == ["For all"]
    assert titles(follows_climate) == []


def test_the_review_queue_lists_waiting_changes_until_the_item_is_archived(
    client_as, live, comms_user, comms_user_2
):
    from ambassadors.publishing.workflow import item_archive

    item_update(item=live, by=comms_user, title="Open day on Sunday")
    client = client_as(comms_user_2)
    queue = client.get("/studio/review/")
    assert [r.item_id for r in queue.context["revisions"]] == [live.pk]
    assert f'href="/studio/items/{live.pk}/change/"' in queue.content.decode()
    item_archive(item=live, by=comms_user)
    assert list(client.get("/studio/review/").context["revisions"]) == []
    assert client.get(f"/studio/items/{live.pk}/change/").status_code == 302


@pytest.mark.parametrize("count", [3, 30])
def test_the_review_queue_runs_the_same_queries_for_3_and_30_waiting_changes(
    client_as, comms_user, comms_user_2, django_assert_num_queries, count
):
    from ambassadors.tests.factories import ItemFactory

    for n in range(count):
        item = ItemFactory(title=f"Live {n}", live=True)
        ItemRevision.objects.create(item=item, author=comms_user, proposed={"title": f"New {n}"})
    client = client_as(comms_user_2)
    client.get("/studio/review/")
    with django_assert_num_queries(8):
        response = client.get("/studio/review/")
    assert len(response.context["revisions"]) == count


def test_kept_pictures_are_deleted_after_a_day(comms_user, settings, tmp_path):
    from ambassadors.held_images import held_image_load, held_image_store, held_images_clean

    settings.MEDIA_ROOT = tmp_path
    reference = held_image_store(png_upload(), user=comms_user)
    assert held_image_load(reference, user=comms_user).name == "office.png"
    assert held_images_clean() == 0
    assert held_images_clean(now=timezone.now() + timedelta(hours=25)) == 1
    assert held_image_load(reference, user=comms_user) is None


def test_the_change_page_marks_removed_and_added_words_apart_with_labels(
    client, live, comms_user, comms_user_2
):
    item_update(item=live, by=comms_user, title="Visit our new office", language="nl")
    client.force_login(comms_user_2)

    page = client.get(f"/studio/items/{live.pk}/change/").content.decode()

    removed = '<del><span class="visually-hidden">removed: </span>'
    added = '<ins><span class="visually-hidden">added: </span>'
    assert (
        f'class="word-diff">{removed}Open day</del> {added}Visit our new office</ins></td>'
    ) in page
    assert '<th scope="row">Title</th>' in page
    assert '<th scope="row">Language</th>' in page
    assert f"{removed}English</del>" in page
    assert f"{added}Dutch</ins>" in page
    assert ">en</" not in page
    assert ">nl</" not in page


def test_word_diff_keeps_runs_whole_and_apart():
    from ambassadors.publishing.revisions import word_diff

    assert word_diff("Strategic realignment of the plan", "Our plan of the plan") == [
        ("del", "Strategic realignment"),
        ("same", " "),
        ("ins", "Our plan"),
        ("same", " "),
        ("same", "of the plan"),
    ]
    assert word_diff("a b c", "a c") == [("same", "a "), ("del", "b"), ("same", " "), ("same", "c")]
    assert word_diff("Hi.", "Hi.\n\nMore words.") == [("same", "Hi.\n\n"), ("ins", "More words.")]
