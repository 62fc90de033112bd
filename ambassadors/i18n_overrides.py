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

# One word per action in Dutch: "Inloggen" (sign in) and "Account maken" (sign up), never
# "Aanmelden" (read as both) or "Registreren". Package texts that say otherwise, or that
# are misspelt ("Bevestigings e-mail"), get our wording (test_informal_dutch.py checks).
SIGN_IN_WORDS = [
    gettext_noop("A sign-in code has been sent to %(recipient)s."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("A user is already registered with this phone number."),
    gettext_noop("Confirmation email sent to %(email)s."),
    gettext_noop(
        "Enabling passwordless operation allows you to sign in using just this"
        " key, but imposes additional requirements such as biometrics or PIN"
        " protection."
    ),
    gettext_noop("Enter Sign-In Code"),
    gettext_noop("If it was you, you can sign up for an account using the link below."),
    gettext_noop(
        "If you have not created an account yet, then please %(link)ssign up%(end_link)s first."
    ),
    gettext_noop("Login Cancelled"),
    gettext_noop("Other sign-in options"),
    gettext_noop("Passkey Sign Up"),
    gettext_noop("Send me a sign-in code"),
    gettext_noop("Sign In"),
    gettext_noop("Sign In Via %(provider)s"),
    gettext_noop("Sign Up"),
    gettext_noop("Sign Up Closed"),
    gettext_noop("Sign up using a passkey"),
    gettext_noop("Sign-In Code"),
    gettext_noop("Signup"),
    gettext_noop("Third-Party Login Failure"),
    gettext_noop("We are sorry, but the sign up is currently closed."),
    gettext_noop(
        "You are receiving this email because you or someone else tried to"
        " signup for an\naccount using email address:\n\n%(email)s\n\nHowever, an"
        " account using that email address already exists.  In case you"
        " have\nforgotten about this, please use the password forgotten"
        " procedure to recover\nyour account:\n\n%(password_reset_url)s"
    ),
    gettext_noop(
        "You can sign in to your account using any of the following third-party accounts:"
    ),
    gettext_noop(
        "You decided to cancel logging in to our site using one of your"
        " existing accounts. If this was a mistake, please proceed to <a"
        ' href="%(login_url)s">sign in</a>.'
    ),
    gettext_noop("Your sign-in code is listed below. Please enter it in your open browser window."),
    gettext_noop("last login"),
    gettext_noop("Designates whether the user can log into this admin site."),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not."
        " If disabled, they may still be able to authenticate using other"
        " backends, such as Single Sign-On or LDAP."
    ),
]
