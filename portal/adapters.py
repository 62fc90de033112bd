"""allauth policy: who may sign up (company domains only, for SSO too, compared as the DNS
sees them), names from the company directory, leavers refused, and the linking step when an
SSO sign-in meets an existing password account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render
from django.utils import translation

from ambassadors.identity.domains import (
    domain_refusal_message,
    email_domain_allowed,
    email_domain_verdict,
)
from ambassadors.identity.names import clean_name
from ambassadors.identity.profiles import (
    claims_from_extra_data,
    profile_from_claims,
    user_profile_apply,
)

if TYPE_CHECKING:
    from ambassadors.models import User

__all__ = ["AccountAdapter", "SocialAccountAdapter", "email_domain_allowed", "mail_language"]


def mail_language(*, email: str, user: User | None = None) -> str:
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


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        verdict = email_domain_verdict(email)
        if not verdict.allowed:
            raise forms.ValidationError(verdict.message)
        return verdict.email

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's e-mails (confirm your address, new password…) in our words, in the
        person's own language: their setting if they have one, else the page's language."""
        context.setdefault("site_url", settings.SITE_URL)
        context.setdefault("company_name", settings.COMPANY_NAME)
        with translation.override(mail_language(email=email, user=context.get("user"))):
            return super().send_mail(template_prefix, email, context)


def _refuse(
    request: HttpRequest,
    message: str,
    template: str = "account/domain_refused.html",
    status: int = 403,
    **extra: Any,
) -> NoReturn:
    response = render(request, template, {"message": message, **extra}, status=status)
    raise ImmediateHttpResponse(response)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """allauth can drop a clean_email error on SSO sign-ups, so refuse here, before any row."""

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        claims = claims_from_extra_data(sociallogin.account.extra_data)
        if sociallogin.is_existing:
            user = sociallogin.user
            if user.is_active:
                user_profile_apply(user=user, profile=profile_from_claims(claims))
            return  # allauth itself sends inactive accounts to "account inactive"
        emails = [a.email for a in sociallogin.email_addresses] or [sociallogin.user.email or ""]
        emails = [e for e in emails if e]
        verdicts = [email_domain_verdict(e) for e in emails]
        refused = next((v for v in verdicts if not v.allowed), None)
        hosted_domain = claims.get("hd")
        if refused is None and not verdicts:
            _refuse(request, domain_refusal_message())
        if refused is not None:
            _refuse(request, refused.message)
        if hosted_domain is not None and not email_domain_allowed(f"x@{hosted_domain}"):
            _refuse(request, domain_refusal_message())
        self._explain_linking(request, sociallogin, [v.email for v in verdicts])

    def _explain_linking(
        self, request: HttpRequest, sociallogin: SocialLogin, emails: list[str]
    ) -> None:
        """An account with this address exists but not this sign-in yet.

        - Provisioned by the company directory (SCIM: no password of its own) and the
          provider vouches for the address: connect them, this is the person's first SSO
          sign-in.
        - Switched off (a leaver): say so.
        - A password account: allauth would stop at "We have sent an e-mail" without
          saying why. Explain how to connect the two instead."""
        if sociallogin.state.get("process") == "connect":
            return
        verified = {a.email.lower() for a in sociallogin.email_addresses if a.verified}
        for email in emails:
            address = (
                EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
            )
            if address is None:
                continue
            user = address.user
            if user.is_active and not user.has_usable_password() and email.lower() in verified:
                sociallogin.connect(request, user)
                user_profile_apply(
                    user=user,
                    profile=profile_from_claims(
                        claims_from_extra_data(sociallogin.account.extra_data)
                    ),
                )
                return
            _refuse(
                request,
                "",
                template="account/sso_link_existing.html",
                status=200 if user.is_active else 403,
                provider_name=sociallogin.provider.name,
                email=address.email,
                inactive=not user.is_active,
            )

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return email_domain_allowed(sociallogin.user.email or "")

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> User:
        """Names from the provider are plain text or nothing; the claim mapping
        (SSO_ATTRIBUTE_MAP) adds display name and department."""
        user = super().populate_user(request, sociallogin, data)
        for field in ("first_name", "last_name"):
            try:
                setattr(user, field, clean_name(getattr(user, field, "")))
            except ValueError:
                setattr(user, field, "")
        claims = claims_from_extra_data(sociallogin.account.extra_data)
        user_profile_apply(user=user, profile=profile_from_claims(claims), save=False)
        return user
