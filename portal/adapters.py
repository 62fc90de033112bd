"""allauth policy: who may sign up (company domains only, for SSO too)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _


def mail_language(*, email: str, user=None) -> str:
    """The language for an account e-mail to ``email``: the ambassador's own setting when
    the person (``user``, or the user with that address) has one, else the active language
    (the page the person used: the switcher's cookie or the browser)."""
    from ambassadors.models import Ambassador

    ambassador = None
    if user is not None and getattr(user, "pk", None):
        ambassador = Ambassador.objects.filter(user=user).only("language").first()
    elif email:
        ambassador = Ambassador.objects.filter(user__email__iexact=email).only("language").first()
    if ambassador is not None and ambassador.language:
        return ambassador.language
    return translation.get_language() or settings.LANGUAGE_CODE


def email_domain_allowed(email: str) -> bool:
    domain = email.rpartition("@")[2].strip().lower()
    return bool(domain) and domain in settings.ALLOWED_EMAIL_DOMAINS


def domain_refusal_message() -> str:
    return _("Only work addresses can join. Use an address ending in: %(domains)s.") % {
        "domains": ", ".join(f"@{d}" for d in settings.ALLOWED_EMAIL_DOMAINS)
    }


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise forms.ValidationError(domain_refusal_message())
        return email

    def send_mail(self, template_prefix, email, context):
        """allauth's e-mails (confirm your address, new password…) in our words, in the
        person's own language: their setting if they have one, else the page's language."""
        context.setdefault("site_url", settings.SITE_URL)
        context.setdefault("company_name", settings.COMPANY_NAME)
        with translation.override(mail_language(email=email, user=context.get("user"))):
            return super().send_mail(template_prefix, email, context)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth can drop a clean_email error on SSO sign-ups, so refuse here, before any row."""

    def pre_social_login(self, request, sociallogin):
        if sociallogin.is_existing:
            return
        emails = [a.email for a in sociallogin.email_addresses] or [sociallogin.user.email or ""]
        hosted_domain = (sociallogin.account.extra_data or {}).get("hd")
        allowed = all(email_domain_allowed(e) for e in emails if e) and any(emails)
        if hosted_domain is not None:
            allowed = allowed and hosted_domain.lower() in settings.ALLOWED_EMAIL_DOMAINS
        if not allowed:
            response = render(
                request,
                "account/domain_refused.html",
                {"message": domain_refusal_message()},
                status=403,
            )
            raise ImmediateHttpResponse(response)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        email = sociallogin.user.email or ""
        return email_domain_allowed(email)
