"""Studio forms. They only parse and check input; the publishing services do the work."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.files import File
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..held_images import held_image_load
from ..images import ImageRejected, image_validate
from ..models import Item, ItemRevision, Language, Network, SiteSettings, Topic, User
from ..publishing.rules import EDITABLE_FIELDS, MANY_FIELDS
from ..share_texts import SHARE_TEXT_LIMITS, share_text_count
from ..site_settings import SETTINGS_FIELDS
from ..sources.inbox import picture_download
from .ambassador import order_names_for_reader

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
FORM_FIELDS = [*EDITABLE_FIELDS, *MANY_FIELDS]


class ItemForm(forms.ModelForm):
    """Never bound to the stored item: the service compares old and new values itself, so
    edits are passed as plain values (initial comes from item_initial)."""

    link = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_("Optional. Where the story lives on the web."),
    )
    image = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"}
        ),
        help_text=_("JPG, PNG, WebP or HEIC (iPhone), at most 5 MB, at least 600 × 315 pixels."),
    )
    remove_image = forms.BooleanField(label=_("Remove the picture"), required=False)
    # Set by "Use this picture" in the link preview; downloaded through the safe fetcher.
    image_url = forms.URLField(
        required=False, max_length=1000, assume_scheme="https", widget=forms.HiddenInput
    )
    # A picture chosen on an attempt that failed for another reason: a signed reference to
    # the cleaned copy we kept, so nobody has to pick it again (see held_image_*).
    held_image = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Item
        fields = FORM_FIELDS
        widgets = {
            "body": forms.Textarea(attrs={"rows": 12}),
            "publish_at": DATETIME_WIDGET,
            "expires_at": DATETIME_WIDGET,
            "topics": forms.CheckboxSelectMultiple,
            "audience": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "body": _("Markdown: *italic*, **bold**, [link](https://…), lists with -."),
            "publish_at": _("Leave empty to publish at once. Otherwise it goes live then."),
            "expires_at": _("Optional. After this moment the item leaves the feed."),
            "is_urgent": _("Urgent items go to the top and are e-mailed to ambassadors."),
        }

    def __init__(
        self, *args: Any, item: Item | None = None, user: User | None = None, **kwargs: Any
    ) -> None:
        self.item = item
        self.user = user
        self.warnings: list[StrOrPromise] = []
        super().__init__(*args, **kwargs)
        order_names_for_reader(self)
        others = Item.objects.exclude(status=Item.Status.ARCHIVED).only("pk", "title")
        if item is not None:
            others = others.exclude(pk=item.pk)
        cast(forms.ModelChoiceField, self.fields["translation_of"]).queryset = others.order_by(
            "-created_at"
        )
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        for name in ("title", "body", "language"):
            self.fields[name].widget.attrs["class"] = "plain-language-source"
        self.fields["link"].widget.attrs["placeholder"] = "https://"
        if item is not None and item.status == Item.Status.PUBLISHED:
            self.fields["is_urgent"].disabled = True
            self.fields["is_urgent"].help_text = _(
                "You cannot change this after publishing. Make a copy instead."
            )

    def clean_link(self) -> str:
        link = self.cleaned_data["link"].strip()
        if link and not link.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Links must start with https:// or http://."))
        return link

    def clean_image(self) -> File | None:
        image = self.cleaned_data.get("image")
        if image:
            try:
                image_validate(image)
            except ImageRejected as error:
                raise forms.ValidationError(str(error)) from None
        return image

    def _changed_from_stored(self, name: str, value: datetime | None) -> bool:
        stored = getattr(self.item, name, None) if self.item is not None else None
        if stored is None or value is None:
            return stored != value
        # The field shows minutes: a stored time with seconds comes back cut.
        return stored.replace(second=0, microsecond=0) != value.replace(second=0, microsecond=0)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("image") and cleaned.get("image_url") and "image" not in self.errors:
            picture, problem = picture_download(cleaned["image_url"])
            if picture is None:
                self.add_error("image", problem)
            else:
                cleaned["image"] = picture
        publish_at, expires_at = cleaned.get("publish_at"), cleaned.get("expires_at")
        now = timezone.now()
        if publish_at and expires_at and expires_at <= publish_at:
            self.add_error("expires_at", _("The end must be after the start."))
        elif (
            expires_at and expires_at <= now and self._changed_from_stored("expires_at", expires_at)
        ):
            self.add_error(
                "expires_at",
                _("This end date has passed, so nobody would see the item. Pick a later one."),
            )
        if (
            publish_at
            and publish_at < now - timedelta(minutes=1)
            and self._changed_from_stored("publish_at", publish_at)
        ):
            self.warnings.append(
                _(
                    "The start date has passed. The item goes live as soon as it is "
                    "published, and counts as new from then."
                )
            )
        self.held = held_image_load(cleaned.get("held_image") or "", user=self.user)
        has_picture = (
            cleaned.get("image")
            or self.held
            or (self.item is not None and self.item.image and not cleaned.get("remove_image"))
        )
        if has_picture and not cleaned.get("image_alt", "").strip():
            self.add_error(
                "image_alt", _("Describe the picture in a few words, for people who cannot see it.")
            )
        return cleaned

    def picture(self) -> File | None:
        """The new picture for the service: this upload, or the one kept from before."""
        return self.cleaned_data.get("image") or getattr(self, "held", None)

    def service_fields(self) -> dict[str, Any]:
        """Everything the services take as keyword arguments."""
        return {
            name: self.cleaned_data[name] for name in FORM_FIELDS if not self.fields[name].disabled
        }


def item_initial(item: Item, revision: ItemRevision | None = None) -> dict[str, Any]:
    """The editor's starting values: the stored item, or for a live item with a change
    waiting for review, that change (so the writer continues it instead of starting over)."""
    initial = model_to_dict(item, fields=FORM_FIELDS)
    initial["topics"] = [t.pk for t in item.topics.all()]
    initial["audience"] = [d.pk for d in item.audience.all()]
    if revision is not None:
        from ..publishing.revisions import revision_values

        initial.update(revision_values(revision))
    return initial


class ShareTextForm(forms.Form):
    network = forms.ChoiceField(label=_("Network"), choices=Network.choices)
    text = forms.CharField(
        label=_("Suggested text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "data-share-text": ""}),
    )

    def __init__(self, *args: Any, disclosure: str = "", **kwargs: Any) -> None:
        self.disclosure = disclosure
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        network, text = cleaned.get("network"), (cleaned.get("text") or "").strip()
        if network and text:
            count = share_text_count(text=text, network=network, disclosure=self.disclosure)
            if not count.fits:
                self.add_error(
                    "text",
                    _(
                        "Too long for %(network)s: %(used)s of %(limit)s characters, "
                        "counting the link and the line we add. Make it %(over)s shorter."
                    )
                    % {
                        "network": Network(network).label,
                        "used": count.used,
                        "limit": count.limit,
                        "over": count.used - count.limit,
                    },
                )
        cleaned["text"] = text
        return cleaned


class BaseShareTextFormSet(forms.BaseFormSet):
    def share_texts(self) -> list[tuple[str, str]]:
        return [
            (form.cleaned_data["network"], form.cleaned_data["text"])
            for form in self.forms
            if form.cleaned_data
            and form.cleaned_data.get("text")
            and not form.cleaned_data.get("DELETE")
        ]


ShareTextFormSet = forms.formset_factory(
    ShareTextForm,
    formset=BaseShareTextFormSet,
    extra=1,
    can_delete=True,
    max_num=30,
    validate_max=True,
)


def share_text_limits() -> dict[str, int]:
    return {str(network): limit for network, limit in SHARE_TEXT_LIMITS.items()}


class ItemFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        required=False,
        queryset=Topic.objects.all(),
        to_field_name="slug",
        empty_label=_("All topics"),
    )
    flag = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("Everything")),
            ("urgent", _("Urgent only")),
            ("featured", _("Featured only")),
            ("mine", _("Mine only")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        order_names_for_reader(self)


class PublishForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm_corporate = forms.BooleanField(
        label=_("I know this text is hard to read. Publish it anyway."), required=False
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should change?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a short note so the author knows what to change.")},
    )


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = list(SETTINGS_FIELDS)
        widgets = {"linkedin_share": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form without the choice (an older page still open) keeps the saved one.
        self.fields["linkedin_share"].required = False

    def clean_linkedin_share(self) -> str:
        return self.cleaned_data.get("linkedin_share") or self.instance.linkedin_share
