from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Ambassador, Network
from .models.people import time_zone_choices


class AcceptGuidelinesForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the guidelines and I want to join."),
        error_messages={"required": _("Tick the box to join.")},
    )


class PreferencesForm(forms.ModelForm):
    networks = forms.MultipleChoiceField(
        label=_("Networks I use"),
        choices=[(n.value, n.label) for n in Network if n not in (Network.COPY, Network.NATIVE)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

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

    def clean_mastodon_instance(self) -> str:
        value = self.cleaned_data["mastodon_instance"].strip().lower()
        value = value.removeprefix("https://").removeprefix("http://").strip("/")
        if value and ("/" in value or "." not in value or " " in value):
            raise forms.ValidationError(
                _("Enter only the server name, for example mastodon.social.")
            )
        return value


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete my account and my personal data."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
