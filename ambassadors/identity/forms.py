"""Name fields: on sign-up (allauth's ``ACCOUNT_SIGNUP_FORM_CLASS``, also used by the SSO
sign-up form) and in the preferences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import User
from .names import NAME_MAX_LENGTH, validate_person_name

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FIRST_NAME_HELP = _("Optional. We use it to greet you in e-mails.")
DISPLAY_NAME_HELP = _(
    "Optional. Colleagues see it on the leaderboard (only if you switch that on) "
    "and comms staff see it with your suggestions."
)


def _name_field(label: StrOrPromise, help_text: StrOrPromise) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=NAME_MAX_LENGTH,
        required=False,
        strip=True,
        validators=[validate_person_name],
    )


def names_set(*, user: User, first_name: str, display_name: str) -> None:
    """The person's own choice of names. Marks them as chosen, so the company directory
    no longer overwrites them (unless IDENTITY_PROVIDER_NAMES_WIN is on)."""
    user.first_name = first_name
    user.display_name = display_name
    fields = ["first_name", "display_name"]
    if first_name or display_name:
        user.names_chosen_at = timezone.now()
        fields.append("names_chosen_at")
    if user.pk:
        user.save(update_fields=fields)


class NamesSignupForm(forms.Form):
    """Extra fields allauth adds to its sign-up forms; ``signup`` runs after the user
    row exists. Prefilled on SSO sign-ups from the provider's claims."""

    first_name = _name_field(_("First name"), FIRST_NAME_HELP)
    display_name = _name_field(_("Name others see"), DISPLAY_NAME_HELP)

    def signup(self, request: HttpRequest, user: User) -> None:
        """An empty field keeps what the company directory gave (SSO sign-ups); a typed
        name that differs from it is the person's own choice."""
        first_name = self.cleaned_data.get("first_name") or user.first_name
        display_name = self.cleaned_data.get("display_name") or user.display_name
        if (first_name, display_name) != (user.first_name, user.display_name):
            names_set(user=user, first_name=first_name, display_name=display_name)


class NamesForm(forms.ModelForm):
    """The name part of the preferences page."""

    class Meta:
        model = User
        fields = ["first_name", "display_name"]
        labels = {"first_name": _("First name"), "display_name": _("Name others see")}
        help_texts = {"first_name": FIRST_NAME_HELP, "display_name": DISPLAY_NAME_HELP}

    def save(self, commit: bool = True) -> User:
        names_set(
            user=self.instance,
            first_name=self.cleaned_data["first_name"],
            display_name=self.cleaned_data["display_name"],
        )
        return self.instance
