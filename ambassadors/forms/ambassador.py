from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..intents import clean_instance
from ..models import Ambassador, Department, Language, Network, Topic
from ..time_zones import time_zone_choices


def order_names_for_reader(form: forms.BaseForm) -> None:
    """Sort every topic and department choice of ``form`` by the name the reader sees (the
    Dutch name for a Dutch reader, ``NamedQuerySet.by_label``): a field's queryset is made
    when the class is defined, so its order cannot follow the language there."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and queryset.model in (Topic, Department):
            cast(forms.ModelChoiceField, field).queryset = queryset.by_label()


class AcceptGuidelinesForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the guidelines and I want to join."),
        error_messages={"required": _("Tick the box to join.")},
    )


# One message for one rule (intents.clean_instance), on the preferences and the item page.
MASTODON_SERVER_ERROR = _(
    "Enter only the server name, for example mastodon.social, or a link to your profile "
    "there, for example https://mastodon.social/@name."
)


class PreferencesForm(forms.ModelForm):
    networks = forms.MultipleChoiceField(
        label=_("Networks I use"),
        choices=[(n.value, n.label) for n in Network if n not in (Network.COPY, Network.NATIVE)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("For the time of your weekly e-mail. Type a city to find it."),
    )

    class Meta:
        model = Ambassador
        fields = [
            "language",
            "content_languages",
            "department",
            "topics",
            "networks",
            "mastodon_instance",
            "digest_enabled",
            "digest_weekday",
            "urgent_alerts",
            "leaderboard_visible",
            "time_zone",
        ]
        widgets = {"topics": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["time_zone"]).choices = time_zone_choices(
            current=self.instance.time_zone
        )
        cast(forms.ModelChoiceField, self.fields["topics"]).queryset = Topic.objects.by_label()
        cast(
            forms.ModelChoiceField, self.fields["department"]
        ).queryset = Department.objects.by_label()
        self.fields["time_zone"].widget.attrs.update(
            {"data-filterable": "", "data-filter-label": _("Find a time zone")}
        )
        self.fields["mastodon_instance"].help_text = _(
            "For example mastodon.social or a link to your profile."
        )

    def clean_mastodon_instance(self) -> str:
        """The same rule the share button uses, so a saved server always works there."""
        value = self.cleaned_data["mastodon_instance"]
        if not value.strip():
            return ""
        try:
            return clean_instance(value)
        except ValueError:
            raise forms.ValidationError(MASTODON_SERVER_ERROR) from None


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my account and my personal data."),
        error_messages={"required": _("Tick the box to confirm.")},
    )


# --- Feed and sharing -------------------------------------------------------------------
SHARE_NETWORKS = [(n.value, n.label) for n in Network if n not in (Network.COPY, Network.NATIVE)]


class FeedFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All topics"),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *Language.choices], required=False
    )
    network = forms.ChoiceField(
        label=_("Network"), choices=[("", _("All networks")), *SHARE_NETWORKS], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["topic"]).queryset = Topic.objects.by_label()


class ShareForm(forms.Form):
    text = forms.CharField(label=_("Your text"), required=False, max_length=5000)
    instance = forms.CharField(label=_("Your Mastodon server"), required=False, max_length=253)


class ManualShareForm(forms.Form):
    network = forms.ChoiceField(label=_("Where did you share it?"), choices=SHARE_NETWORKS)
    post_url = forms.URLField(
        label=_("Link to your post"),
        max_length=1000,
        required=False,
        assume_scheme="https",
    )


class ConfirmShareForm(forms.Form):
    post_url = forms.URLField(
        label=_("Link to your post"), max_length=1000, required=False, assume_scheme="https"
    )
