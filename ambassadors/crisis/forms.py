"""Crisis studio forms: they parse and check input; ``crisis.services`` does the work."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.files import File
from django.utils.translation import gettext_lazy as _

from ..forms.ambassador import order_names_for_reader
from ..images import ImageRejected, image_validate
from ..models import Channel, CrisisScenario, Department, Webhook
from .placeholders import PLACEHOLDER
from .webhooks import WebhookAddressError, webhook_url_check

PLACEHOLDER_HELP = _("Use blanks such as {place}, {time} or {what}: you fill them in on the day.")


class ScenarioForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = CrisisScenario
        fields = [
            "name",
            "title_en",
            "body_en",
            "share_text_en",
            "title_nl",
            "body_nl",
            "share_text_nl",
            "audience",
            "internal_only",
            "channels",
            "must_reach",
        ]
        widgets = {
            "body_en": forms.Textarea(attrs={"rows": 6}),
            "body_nl": forms.Textarea(attrs={"rows": 6}),
            "share_text_en": forms.Textarea(attrs={"rows": 3}),
            "share_text_nl": forms.Textarea(attrs={"rows": 3}),
            "audience": forms.CheckboxSelectMultiple,
        }
        help_texts = {"title_en": PLACEHOLDER_HELP, "title_nl": PLACEHOLDER_HELP}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for code in ("en", "nl"):
            if bool(cleaned.get(f"title_{code}", "").strip()) != bool(
                cleaned.get(f"body_{code}", "").strip()
            ):
                self.add_error(f"body_{code}", _("Write both a title and a text, or neither."))
        return cleaned

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order_names_for_reader(self)


class ActivateForm(forms.Form):
    """The one activation screen. Placeholder fields are added per scenario."""

    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )  # noqa: E501
    share_text_en = forms.CharField(
        label=_("Share text (English)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )  # noqa: E501
    title_nl = forms.CharField(label=_("Title (Dutch)"), max_length=200, required=False)
    body_nl = forms.CharField(
        label=_("Text (Dutch)"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )  # noqa: E501
    share_text_nl = forms.CharField(
        label=_("Share text (Dutch)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )  # noqa: E501
    audience = forms.ModelMultipleChoiceField(
        label=_("Who"),
        queryset=Department.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty for everyone."),
    )
    internal_only = forms.BooleanField(
        label=_("For staff only (do not share)"),
        required=False,
        help_text=_("No public page and no share buttons. Messages say: please do not share."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=True,
    )
    must_reach = forms.BooleanField(
        label=_("Must reach everyone"),
        required=False,
        help_text=_("Also e-mails people who turned urgent e-mails off. Use it for safety only."),
    )
    send = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Send now")), ("delay", _("After the usual delay"))],
        widget=forms.RadioSelect,
        initial="now",
    )
    pause_content = forms.BooleanField(
        label=_("Pause other content"),
        required=False,
        initial=True,
        help_text=_("Planned posts and weekly e-mails wait until you resume."),
    )

    def __init__(self, *args: Any, placeholders: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order_names_for_reader(self)
        self.placeholders = list(placeholders)
        for name in self.placeholders:
            self.fields[f"fill_{name}"] = forms.CharField(
                label="{" + name + "}", max_length=200, required=True
            )

    def fill_fields(self) -> list[forms.BoundField]:
        return [self[f"fill_{name}"] for name in self.placeholders]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # Blanks typed into the texts on the day must be filled too.
        texts = [cleaned.get(n, "") for n in ("title_en", "body_en", "title_nl", "body_nl")]
        new = {m.group(1) for t in texts for m in PLACEHOLDER.finditer(t or "")}
        unknown = sorted(new - set(self.placeholders))
        if unknown:
            raise forms.ValidationError(
                _("Fill in or remove these blanks: %(names)s")
                % {"names": ", ".join("{" + n + "}" for n in unknown)}
            )
        return cleaned

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"fill_{name}", "") for name in self.placeholders}


class UpdateForm(forms.Form):
    text_en = forms.CharField(
        label=_("Update (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    text_nl = forms.CharField(
        label=_("Update (Dutch)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    link = forms.URLField(label=_("Link"), required=False, max_length=1000, assume_scheme="https")
    image = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(label=_("Picture description"), max_length=250, required=False)
    alert = forms.BooleanField(
        label=_("Alert people again"), required=False, initial=True,
        help_text=_("E-mail and Slack/Teams, once per person for this update."),
    )  # fmt: skip
    send = forms.ChoiceField(
        label=_("When"),
        choices=[("now", _("Send now")), ("delay", _("After the usual delay"))],
        widget=forms.RadioSelect,
        initial="now",
    )

    def clean_link(self) -> str:
        link = self.cleaned_data.get("link", "")
        if link and not link.startswith(("https://", "http://")):
            raise forms.ValidationError(_("Use a web address that starts with https://."))
        return link

    def clean_image(self) -> File | None:
        image = self.cleaned_data.get("image")
        if image:
            try:
                image_validate(image)
            except ImageRejected as error:
                raise forms.ValidationError(str(error)) from error
        return image

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not (cleaned.get("text_en", "").strip() or cleaned.get("text_nl", "").strip()):
            raise forms.ValidationError(_("Write the update in at least one language."))
        if cleaned.get("image") and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", _("Describe the picture for people who cannot see it."))
        return cleaned


class CloseForm(forms.Form):
    resume_content = forms.BooleanField(
        label=_("Resume other content too"), required=False, initial=False
    )  # the crisis page ticks it when other content is paused


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=200, required=False)


class WebhookForm(forms.ModelForm):
    class Meta:
        model = Webhook
        fields = ["name", "kind", "url", "language", "post_new_items"]
        widgets = {"url": forms.PasswordInput(render_value=False)}
        help_texts = {
            "url": _(
                "Slack: an incoming webhook. Teams: a workflow that posts a card when a "
                "webhook request comes in. Keep the address secret."
            )
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("url") and cleaned.get("kind"):
            try:
                cleaned["url"] = webhook_url_check(kind=cleaned["kind"], url=cleaned["url"])
            except WebhookAddressError as error:
                self.add_error("url", str(error))
        return cleaned
