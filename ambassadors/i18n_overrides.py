"""English texts of django-allauth and Django whose Dutch translation says "u"/"uw" (or
"a.u.b."). Listing them here makes ``make messages`` keep them in our catalogue
(locale/nl/LC_MESSAGES/django.po), where we translate them with "je", like the rest of the
site; our catalogue wins over the packages' (LOCALE_PATHS comes first).

``ambassadors/tests/test_informal_dutch.py`` checks every Dutch text people can see, so a
package update that brings a new formal text fails the tests until it is added here.
Nothing imports this module: it exists for makemessages.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

OVERRIDDEN = [
    # django-allauth
    gettext_noop("Are you sure?"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent an email to you for\n"
        "verification. Please click on the link inside that email. If you do not see the "
        "verification email in your main inbox, check your spam folder. Otherwise\n"
        "contact us if you do not receive it within a few minutes."
    ),
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize "
        "the signup process. If you do not see the verification email in your main inbox, "
        "check your spam folder. Please contact us if you do not receive the verification "
        "email within a few minutes."
    ),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam "
        "folder. Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop(
        "Your account is protected by two-factor authentication. Please enter an "
        "authenticator code:"
    ),
    # Django: the CSRF failure page, forms and the password rules
    gettext_noop(
        'If you are using the <meta name="referrer" content="no-referrer"> tag or including '
        "the “Referrer-Policy: no-referrer” header, please remove them. The CSRF protection "
        "requires the “Referer” header to do strict referer checking. If you’re concerned "
        'about privacy, use alternatives like <a rel="noreferrer" …> for links to '
        "third-party sites."
    ),
    gettext_noop(
        "If you have configured your browser to disable cookies, please re-enable them, at "
        "least for this site, or for “same-origin” requests."
    ),
    gettext_noop(
        "If you have configured your browser to disable “Referer” headers, please re-enable "
        "them, at least for this site, or for HTTPS connections, or for “same-origin” "
        "requests."
    ),
    gettext_noop(
        "ManagementForm data is missing or has been tampered with. Missing fields: "
        "%(field_names)s. You may need to file a bug report if the issue persists."
    ),
    gettext_noop(
        "You are seeing this message because this HTTPS site requires a “Referer header” to "
        "be sent by your web browser, but none was sent. This header is required for "
        "security reasons, to ensure that your browser is not being hijacked by third "
        "parties."
    ),
    gettext_noop(
        "You are seeing this message because this site requires a CSRF cookie when "
        "submitting forms. This cookie is required for security reasons, to ensure that "
        "your browser is not being hijacked by third parties."
    ),
    gettext_noop(
        'You are seeing this page because <a href="https://docs.djangoproject.com/en/'
        '%(version)s/ref/settings/#debug" target="_blank" rel="noopener">DEBUG=True</a> '
        "is in your settings file and you have not configured any URLs."
    ),
    gettext_noop(
        "Designates whether this user should be treated as active. Unselect this instead of "
        "deleting accounts."
    ),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
]
