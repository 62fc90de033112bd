"""allauth policy: who may sign up (company domains only, for SSO too)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _


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
        context.setdefault("site_url", settings.SITE_URL)
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
