"""Issue 12, part 1: no way around the publishing services (the admin), lead-only audited
settings, and the append-only audit trail with exact change detection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from ambassadors.audit import audit_record
from ambassadors.models import (
    AuditEvent,
    AuditLogIsAppendOnly,
    Item,
    ItemEvent,
    SiteSettings,
    Suggestion,
)
from ambassadors.publishing.items import item_create, item_update
from ambassadors.publishing.workflow import item_approve, item_publish, item_submit
from ambassadors.roles import COMMS, COMMS_LEADS
from ambassadors.site_settings import SettingsRefused, site_settings_update
from ambassadors.tests.factories import (
    AmbassadorFactory,
    CommsLeadFactory,
    CommsUserFactory,
    DepartmentFactory,
    ItemFactory,
    ShareTextFactory,
    SuggestionFactory,
    TopicFactory,
    UserFactory,
)
from ambassadors.tests.test_publishing import CORPORATE_EN, PLAIN_EN

Status = Item.Status
Audit = AuditEvent.Action
NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)

# Fields of each model whose change is a workflow step: only services may set them.
WORKFLOW_FIELDS = {
    "item": {"status", "is_urgent", "is_featured", "publish_at", "expires_at", "author"},
    "sharetext": {"text", "network", "item"},
    "itemevent": {"action", "actor", "at", "note", "item"},
    "suggestion": {"status", "item", "decided_by", "decided_at"},
    "sitesettings": {"review_required", "urgent_send_delay_minutes"},
    "auditevent": {"action", "actor", "at", "changes"},
    "itemrevision": {"status", "proposed", "decided_by"},
}


def staff(factory, email):
    user = factory(email=email)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def item_state(item: Item) -> dict:
    fresh = Item.objects.get(pk=item.pk)
    return {
        "status": fresh.status,
        "is_urgent": fresh.is_urgent,
        "is_featured": fresh.is_featured,
        "publish_at": fresh.publish_at,
        "title": fresh.title,
        "events": list(fresh.events.values_list("action", flat=True)),
        "share_texts": list(fresh.share_texts.values_list("text", flat=True)),
    }


# --- 1. The admin is no way around review ----------------------------------------------------


@pytest.fixture
def one_of_everything(db):
    author = CommsUserFactory(email="author@example.com")
    item = ItemFactory(author=author, status=Status.IN_REVIEW, body=PLAIN_EN)
    ShareTextFactory(item=item, network="linkedin", text="Come and see")
    ItemEvent.objects.create(item=item, actor=author, action=ItemEvent.Action.SUBMITTED)
    audit_record(actor=author, action=Audit.ITEM_SUBMITTED, item=item)
    SuggestionFactory()
    SiteSettings.load()
    AmbassadorFactory()
    TopicFactory()
    DepartmentFactory()
    return item


@pytest.mark.parametrize("factory", [CommsUserFactory, CommsLeadFactory])
def test_walking_every_admin_change_form_as_comms_finds_no_workflow_field(
    client, one_of_everything, factory
):
    """Every registered model with a row: its change page is read-only or refused for the
    workflow fields, and a forged POST changes nothing."""
    member = staff(factory, "staffer@example.com")
    client.force_login(member)
    checked = []
    for model, _model_admin in admin.site._registry.items():
        obj = model._default_manager.first()
        if obj is None:
            continue
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        response = client.get(url)
        assert response.status_code in (200, 302, 403), url
        protected = WORKFLOW_FIELDS.get(opts.model_name, set())
        if response.status_code == 200 and protected:
            form = response.context["adminform"].form
            editable = {name for name, field in form.fields.items() if not field.disabled}
            assert not (editable & protected), (url, editable & protected)
            for inline in response.context["inline_admin_formsets"]:
                assert not inline.has_add_permission, url
                assert not inline.has_change_permission, url
        checked.append(opts.model_name)
    assert {"item", "suggestion", "sitesettings", "itemevent", "auditevent"} <= set(checked)

    item = one_of_everything
    before = item_state(item)
    forged = {
        "title": "Taken over",
        "status": "published",
        "is_urgent": "on",
        "is_featured": "on",
        "language": "en",
        "slug": item.slug,
        "share_texts-TOTAL_FORMS": "0",
        "share_texts-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:ambassadors_item_change", args=[item.pk]), forged)
    assert response.status_code == 403
    assert client.post(reverse("admin:ambassadors_item_add"), forged).status_code == 403
    assert item_state(item) == before
    settings_url = reverse("admin:ambassadors_sitesettings_change", args=[SiteSettings.load().pk])
    assert client.post(settings_url, {"urgent_send_delay_minutes": "0"}).status_code == 403
    assert SiteSettings.load().review_required is True
    suggestion = Suggestion.objects.get()
    url = reverse("admin:ambassadors_suggestion_change", args=[suggestion.pk])
    assert client.post(url, {"status": "accepted"}).status_code == 403
    assert Suggestion.objects.get().status == Suggestion.Status.NEW
    assert not AuditEvent.objects.filter(action=Audit.ADMIN_EDIT).exists()


def test_comms_roles_no_longer_hold_item_or_settings_change_permissions(db):
    from ambassadors.roles import ensure_role_groups

    groups = ensure_role_groups()
    comms = set(groups[COMMS].permissions.values_list("codename", flat=True))
    leads = set(groups[COMMS_LEADS].permissions.values_list("codename", flat=True))
    assert not comms & {"add_item", "change_item", "change_suggestion", "change_sitesettings"}
    assert not leads & {"add_item", "change_item", "change_suggestion"}
    assert "change_sitesettings" in leads
    assert "view_auditevent" in comms


def test_a_superusers_admin_edit_of_an_item_is_audited_field_by_field(client, db):
    boss = UserFactory(email="root@example.com", is_superuser=True, is_staff=True)
    item = ItemFactory(title="Old title", publish_at=datetime(2026, 11, 18, 9, 0, 37, tzinfo=UTC))
    client.force_login(boss)
    url = reverse("admin:ambassadors_item_change", args=[item.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("topics", "audience", "image")
    }
    data.update(
        {
            "title": "New title",
            "is_featured": "on",
            "publish_at_0": timezone.localtime(item.publish_at).strftime("%Y-%m-%d"),
            "publish_at_1": timezone.localtime(item.publish_at).strftime("%H:%M:%S"),
            "share_texts-TOTAL_FORMS": "0",
            "share_texts-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_urgent", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action=Audit.ADMIN_EDIT)
    assert event.actor == boss
    assert event.item_id == item.pk
    assert event.changes == {
        "title": {"old": "Old title", "new": "New title"},
        "is_featured": {"old": False, "new": True},
    }
    history = item.events.get(action=ItemEvent.Action.EDITED)
    assert (history.actor, history.note) == (boss, "In the admin: Title, Featured")


def test_a_role_change_in_the_admin_is_audited(client, db):
    boss = UserFactory(email="root@example.com", is_superuser=True, is_staff=True)
    person = UserFactory(email="new-lead@example.com")
    client.force_login(boss)
    url = reverse("admin:ambassadors_user_change", args=[person.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "groups": [Group.objects.get(name=COMMS_LEADS).pk],
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": person.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": person.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("last_login", None)
    data.pop("user_permissions", None)
    data.pop("is_superuser", None)
    response = client.post(url, data)
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=Audit.ROLE_CHANGED)
    assert event.actor == boss
    assert event.object_label == "new-lead@example.com"
    assert event.changes == {
        "is_staff": {"old": False, "new": True},
        "groups": {"old": [], "new": [COMMS_LEADS]},
    }


# --- 3. Site settings: leads only, audited ----------------------------------------------------


def test_a_comms_member_cannot_change_the_settings_and_nothing_is_recorded(client_as, comms_user):
    client = client_as(comms_user)
    page = client.get("/studio/settings/")
    assert page.status_code == 200
    assert all(field.disabled for field in page.context["form"].fields.values())
    assert b"Only comms leads can change these settings" in page.content
    response = client.post(
        "/studio/settings/",
        {"digest_send_hour": "8", "urgent_send_delay_minutes": "10", "disclosure_en": "x"},
    )
    assert response.status_code == 403
    site = SiteSettings.load()
    assert (site.review_required, site.disclosure_en) == (True, "#employee")
    assert not AuditEvent.objects.exists()
    with pytest.raises(SettingsRefused):
        site_settings_update(by=comms_user, review_required=False)
    assert SiteSettings.load().review_required is True


def test_a_leads_settings_change_is_recorded_with_old_and_new_values_and_shown(
    client_as, comms_lead
):
    client = client_as(comms_lead)
    data = {
        "digests_enabled": "on",
        "digest_send_hour": "8",
        "disclosure_en": "#employee",
        "disclosure_nl": "#medewerker",
        "urgent_send_delay_minutes": "10",
    }  # review_required unticked: the one change
    with time_machine.travel(NOW, tick=False):
        assert client.post("/studio/settings/", data).status_code == 302
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.at) == (Audit.SETTINGS_CHANGED, comms_lead, NOW)
    assert event.changes == {"review_required": {"old": True, "new": False}}
    # Saving again without a change records nothing new.
    assert client.post("/studio/settings/", data).status_code == 302
    assert AuditEvent.objects.count() == 1
    page = client.get("/studio/settings/")
    assert page.context["history"][0]["rows"] == [
        {
            "field": "review_required",
            "label": "A second comms member must approve",
            "old": True,
            "new": False,
            "old_display": "yes",
            "new_display": "no",
        }
    ]
    assert b"lead@example.com" in page.content


# --- 4. The audit trail ---------------------------------------------------------------------


def test_every_workflow_step_and_override_is_audited(comms_user, comms_user_2, comms_lead):
    item = item_create(by=comms_user, title="Hard words", body=CORPORATE_EN)
    item_submit(item=item, by=comms_user)
    item_approve(item=item, by=comms_user_2, confirm_corporate=True)
    urgent = item_create(by=comms_lead, title="Fire drill", body=PLAIN_EN, is_urgent=True)
    item_publish(item=urgent, by=comms_lead)
    rows = list(AuditEvent.objects.order_by("pk").values_list("action", "actor__email", "item"))
    assert rows == [
        (Audit.ITEM_CREATED, "comms@example.com", item.pk),
        (Audit.ITEM_SUBMITTED, "comms@example.com", item.pk),
        (Audit.OVERRIDE_CORPORATE, "reviewer@example.com", item.pk),
        (Audit.ITEM_APPROVED, "reviewer@example.com", item.pk),
        (Audit.ITEM_PUBLISHED, "reviewer@example.com", item.pk),
        (Audit.ITEM_CREATED, "lead@example.com", urgent.pk),
        (Audit.OVERRIDE_URGENT_ALONE, "lead@example.com", urgent.pk),
        (Audit.ITEM_PUBLISHED, "lead@example.com", urgent.pk),
    ]


def test_a_title_only_edit_records_only_the_title_even_with_seconds_in_publish_at(comms_user):
    planned = datetime(2026, 12, 3, 9, 30, 45, tzinfo=UTC)
    item = item_create(by=comms_user, title="First", body=PLAIN_EN, publish_at=planned)
    # The editor's date field shows minutes: it sends 09:30 back unchanged.
    item_update(
        item=item,
        by=comms_user,
        title="Second",
        publish_at=planned.replace(second=0),
        expires_at=None,
    )
    item.refresh_from_db()
    assert item.publish_at == planned
    assert item.events.get(action=ItemEvent.Action.EDITED).note == "title"
    event = AuditEvent.objects.get(action=Audit.ITEM_EDITED)
    assert event.changes == {"title": {"old": "First", "new": "Second"}}
    # A real change of one minute is recorded exactly, seconds included.
    item_update(item=item, by=comms_user, publish_at=datetime(2026, 12, 3, 9, 31, tzinfo=UTC))
    last = AuditEvent.objects.filter(action=Audit.ITEM_EDITED).order_by("-pk").first()
    assert last.changes == {
        "publish_at": {"old": "2026-12-03T09:30:45+00:00", "new": "2026-12-03T09:31:00+00:00"}
    }


def test_the_audit_trail_is_append_only(comms_user):
    item_create(by=comms_user, title="Anything", body=PLAIN_EN)
    event = AuditEvent.objects.get()
    event.note = "rewritten"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().update(note="x")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().note == ""


def make_events(count: int, by) -> None:
    for n in range(count):
        item_create(by=by, title=f"Story {n}", body=PLAIN_EN)


@pytest.mark.parametrize("count", [3, 30])
def test_the_audit_page_runs_the_same_queries_for_3_and_30_events(
    client_as, comms_user, django_assert_num_queries, count
):
    make_events(count, comms_user)
    client = client_as(comms_user)
    client.get("/studio/audit/")  # warm the session and permission caches
    with django_assert_num_queries(7):
        response = client.get("/studio/audit/")
    assert len(response.context["rows"]) == count


def test_the_audit_page_filters_by_action_person_item_and_day(client_as, comms_user, comms_user_2):
    with time_machine.travel(NOW, tick=False):
        first = item_create(by=comms_user, title="Monday story", body=PLAIN_EN)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        item_submit(item=first, by=comms_user)
        second = item_create(by=comms_user_2, title="Tuesday story", body=PLAIN_EN)
    client = client_as(comms_user)

    def shown(query: str) -> list[tuple[str, str]]:
        rows = client.get("/studio/audit/?" + query).context["rows"]
        return [(event.action, event.object_label) for event, _changes in rows]

    assert shown("action=item_submitted") == [(Audit.ITEM_SUBMITTED, "Monday story")]
    assert shown("who=reviewer@") == [(Audit.ITEM_CREATED, "Tuesday story")]
    assert shown(f"item={second.pk}") == [(Audit.ITEM_CREATED, "Tuesday story")]
    assert shown("start=2026-11-18&end=2026-11-18") == [(Audit.ITEM_CREATED, "Monday story")]
    assert shown("q=tuesday") == [(Audit.ITEM_CREATED, "Tuesday story")]


def test_the_audit_csv_has_one_line_per_changed_field_and_neutralises_formulas(
    client_as, comms_user
):
    item = item_create(by=comms_user, title="Plain", body=PLAIN_EN)
    item_update(item=item, by=comms_user, title="=HYPERLINK(1)", is_featured=True)
    response = client_as(comms_user).get("/studio/audit.csv?action=item_edited")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == [
        "When",
        "Who",
        "What",
        "Object type",
        "Object number",
        "Object",
        "Note",
        "Field",
        "Before",
        "After",
    ]
    body = [line[1:] for line in lines[1:]]
    assert body == [
        [
            "comms@example.com",
            "Item edited",
            "ambassadors.item",
            str(item.pk),
            "'=HYPERLINK(1)",
            "title, featured",
            "Title",
            "Plain",
            "'=HYPERLINK(1)",
        ],
        [
            "comms@example.com",
            "Item edited",
            "ambassadors.item",
            str(item.pk),
            "'=HYPERLINK(1)",
            "title, featured",
            "Featured",
            "no",
            "yes",
        ],
    ]


def test_the_audit_pages_are_comms_only(client_as, ambassador):
    client = client_as(ambassador.user)
    assert client.get("/studio/audit/").status_code == 403
    assert client.get("/studio/audit.csv").status_code == 403


def test_a_superusers_admin_edit_of_a_suggestion_and_a_deactivation_are_audited(client, db):
    boss = UserFactory(email="root@example.com", is_superuser=True, is_staff=True)
    suggestion = SuggestionFactory(link="https://example.com/a")
    client.force_login(boss)
    url = reverse("admin:ambassadors_suggestion_change", args=[suggestion.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update({"status": "declined", "decline_reason": "Old news"})
    data.pop("created_at", None)
    data.pop("decided_at", None)
    sent = timezone.localtime(suggestion.created_at)
    data["created_at_0"] = sent.strftime("%Y-%m-%d")
    data["created_at_1"] = sent.strftime("%H:%M:%S.%f")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action=Audit.ADMIN_EDIT)
    assert event.object_type == "ambassadors.suggestion"
    assert event.changes == {
        "status": {"old": "new", "new": "declined"},
        "decline_reason": {"old": "", "new": "Old news"},
    }
    leaver = UserFactory(email="leaver@example.com")
    client.post(
        reverse("admin:ambassadors_user_changelist"),
        {"action": "deactivate", "_selected_action": [leaver.pk]},
    )
    event = AuditEvent.objects.get(action=Audit.ROLE_CHANGED)
    assert (event.object_label, event.changes) == (
        "leaver@example.com",
        {"is_active": {"old": True, "new": False}},
    )


def test_deleting_a_person_keeps_their_audit_events_without_their_name(comms_user, comms_user_2):
    from ambassadors.privacy import user_delete

    item = item_create(by=comms_user, title="Kept", body=PLAIN_EN)
    item_submit(item=item, by=comms_user)
    pk = comms_user.pk
    user_delete(user=comms_user)
    rows = list(AuditEvent.objects.order_by("pk").values_list("actor", "actor_label", "action"))
    assert rows == [
        (None, f"former user #{pk}", Audit.ITEM_CREATED),
        (None, f"former user #{pk}", Audit.ITEM_SUBMITTED),
    ]
    assert not AuditEvent.objects.filter(actor_label__contains="comms@example.com").exists()
    # Deleting an item keeps its events too (the link is cut, the label stays).
    Item.objects.filter(pk=item.pk).delete()
    assert set(AuditEvent.objects.values_list("item", "object_label")) == {(None, "Kept")}


def test_the_audit_trail_shows_field_and_choice_labels_not_stored_values(client_as, comms_user):
    item = item_create(by=comms_user, title="Plain", body=PLAIN_EN, language="en")
    client = client_as(comms_user)

    page = client.get("/studio/audit/?action=item_created").content.decode()

    assert "<dt>Language</dt>" in page
    assert ">English</ins>" in page
    assert "<dt>Status</dt>" in page
    assert ">Draft</ins>" in page
    assert ">en</ins>" not in page
    assert ">draft</ins>" not in page
    lines = b"".join(client.get("/studio/audit.csv?action=item_created").streaming_content).decode(
        "utf-8-sig"
    )
    assert ",Status,–,Draft" in lines
    assert ",Language,–,English" in lines
    assert item.status == "draft"  # what is stored stays the exact value
    event = AuditEvent.objects.get(action="item_created", item=item)
    assert event.changes["status"] == {"old": None, "new": "draft"}
    assert event.changes["language"] == {"old": None, "new": "en"}


def test_audit_labels_follow_the_readers_language(comms_user):
    from django.utils import translation

    from ambassadors.audit import change_rows

    item = item_create(by=comms_user, title="Plain", body=PLAIN_EN, language="en")
    event = AuditEvent.objects.get(action="item_created", item=item)
    with translation.override("nl"):
        rows = {row["field"]: row for row in change_rows(event)}
        assert (rows["status"]["label"], rows["status"]["new_display"]) == ("Status", "Concept")
        assert (rows["language"]["label"], rows["language"]["new_display"]) == ("Taal", "Engels")


def test_audit_names_a_reverse_relation_by_its_stored_name():
    # A reverse relation is not a field of the model: field_label used to raise
    # AttributeError on it (ManyToOneRel has no verbose_name).
    from ambassadors.audit import field_label, value_display

    assert field_label("ambassadors.item", "revisions") == "revisions"
    assert value_display("ambassadors.item", "revisions", [1, 2]) == "1, 2"
