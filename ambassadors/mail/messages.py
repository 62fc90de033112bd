"""Programme mail as messages: template triplets rendered in the reader's language, each
distinct shape of a batch rendered once and filled in per person (``EmailRenderer``), and
the serialiser that turns a message into SMTP bytes once (``PreparedEmail``).

Sending and the claim → send → record skeleton live in ``mail/delivery.py``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Hashable
from email import message_from_bytes
from email.message import Message
from email.policy import Policy
from email.utils import formatdate, parseaddr
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.loader import render_to_string
from django.utils import translation

from ..models import Ambassador

if TYPE_CHECKING:
    from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText


def email_render(
    *,
    template: str,
    context: dict,
    to: list[str],
    language: str,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """``templates/email/<template>/subject.txt, body.txt, body.html`` as one multipart message."""
    subject, text, html = render_triplet(template=template, context=context, language=language)
    return _message(subject=subject, text=text, html=html, to=to, headers=headers)


class EmailRenderer:
    """Renders a template triplet once per *shape* and fills in each person's own values.

    People in one batch mostly get the same posts in the same language, so a batch renders
    a handful of distinct e-mails, not hundreds. Per-person values (``fill``: name,
    unsubscribe link, own numbers) go into the templates as random markers and are swapped
    in afterwards, escaped for the HTML part. Each shape is also serialised to MIME once; a
    message then costs a few byte replacements instead of the e-mail package's header
    folding and line-by-line writing, which otherwise cost more than the SMTP hand-off.
    """

    def __init__(self, template: str) -> None:
        self.template = template
        self._token = uuid.uuid4().hex
        self._shapes: dict[Hashable, _Shape] = {}

    def mark(self, name: str, part: str = "t") -> str:
        """Where ``fill[name]`` goes: part "t" in the subject, text and headers; "h" in HTML."""
        return f"{name}{part}{self._token}"

    def render(
        self,
        *,
        shape: Hashable,
        language: str,
        context: dict,
        fill: dict[str, tuple[str, str]],
        to: list[str],
        headers: dict[str, str] | None = None,
    ) -> EmailMultiAlternatives:
        """``shape`` must capture everything in ``context`` and ``headers`` that differs
        between people; ``fill`` holds (text, html) pairs and an empty value renders as ""
        (so ``{% if name %}`` still works)."""
        empty = tuple(sorted(name for name, (text, _html) in fill.items() if not text))
        key = (language, shape, empty)
        compiled = self._shapes.get(key)
        if compiled is None:
            markers = {name: name not in empty for name in fill}
            text_context = context | {n: self.mark(n) if on else "" for n, on in markers.items()}
            html_context = context | {
                n: self.mark(n, "h") if on else "" for n, on in markers.items()
            }
            with translation.override(language):
                subject = render_to_string(f"email/{self.template}/subject.txt", text_context)
                text = render_to_string(f"email/{self.template}/body.txt", text_context)
                html = render_to_string(f"email/{self.template}/body.html", html_context)
            compiled = self._shapes[key] = _Shape(
                renderer=self,
                subject=" ".join(subject.split()),
                text=text,
                html=html,
                headers=headers or {},
            )
        return compiled.message(fill=fill, to=to)


def with_contact(queryset: QuerySet[Ambassador]) -> QuerySet[Ambassador]:
    """Address and first name as plain columns: ``select_related("user")`` would tie each
    ambassador and user in a reference cycle (the one-to-one caches both ways) that only the
    cyclic garbage collector frees, so memory would grow with the number of ambassadors."""
    return queryset.annotate(
        contact_email=F("user__email"),
        contact_name=Coalesce(NullIf(F("user__first_name"), Value("")), F("user__display_name")),
    )


class _WithContact(Protocol):
    """An ambassador from ``with_contact``."""

    contact_email: str | None
    contact_name: str | None


def contact(ambassador: Ambassador) -> tuple[str, str]:
    """(address, first name or else display name) from ``with_contact``, or from the user
    when loaded another way."""
    if hasattr(ambassador, "contact_email"):
        annotated = cast(_WithContact, ambassador)
        return annotated.contact_email or "", single_line(annotated.contact_name or "")
    user = ambassador.user
    return (user.email, single_line(user.greeting_name)) if user else ("", "")


def render_triplet(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = " ".join(render_to_string(f"email/{template}/subject.txt", context).split())
        text = render_to_string(f"email/{template}/body.txt", context)
        html = render_to_string(f"email/{template}/body.html", context)
    return subject, text, html


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value: str) -> str:
    """``value`` with every run of control characters (CR, LF, NUL, tab, C1 and Unicode line
    separators) folded into one space: what goes into a message byte-for-byte can then never
    end a line, a header or the SMTP DATA section (``<CR>.<CR><LF>`` smuggling)."""
    return _CONTROL.sub(" ", value).strip()


_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def crlf_text(value: str) -> bytes:
    """Body text as wire bytes: every line break (CRLF, a lone CR or LF, Unicode separators)
    becomes CRLF and other control characters go, so smtplib's dot-stuffing sees every line
    start and no value can end the DATA section early."""
    return _NOT_TEXT.sub("", _LINE_BREAK.sub("\n", value)).replace("\n", "\r\n").encode()


def sending_domain() -> str:
    """The domain of ``DEFAULT_FROM_EMAIL`` (else of ``SITE_URL``), for ``Message-ID``: the
    machine's host name (``localhost`` in a container) makes messages look forged to filters."""
    address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1]
    domain = address.rpartition("@")[2] or urlsplit(settings.SITE_URL).hostname or ""
    return domain.encode("idna").decode("ascii") if domain else DNS_NAME.get_fqdn()


def message_id() -> str:
    return make_msgid(domain=sending_domain())


# What Django 5.2's ``EmailMessage.message()`` builds (its ``as_bytes`` takes ``linesep``); the
# stubs describe Django 6's stdlib message.
_DjangoMIME: TypeAlias = "SafeMIMEMultipart | SafeMIMEText"

_MAX_LINE = 400  # characters: a filled line never pushes a line past SMTP's 998 octets


class _Shape:
    """One rendered e-mail with markers, and its MIME bytes when they can be reused."""

    def __init__(
        self,
        *,
        renderer: EmailRenderer,
        subject: str,
        text: str,
        html: str,
        headers: dict[str, str],
    ) -> None:
        self.renderer = renderer
        self.subject, self.text, self.html, self.headers = subject, text, html, headers
        self.blueprint = self._blueprint()
        self._head = "\n".join([subject, *headers.values()])

    def _blueprint(self) -> bytes | None:
        """The whole message serialised once, with markers for To, Date and Message-ID too.
        Reused only if every marker survived as plain bytes (8bit parts, nothing encoded or
        folded through a marker); otherwise each message is serialised the normal way."""
        mark = self.renderer.mark
        probe = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[f"{mark('to')}@invalid"],
            headers=self.headers | {"Date": mark("date"), "Message-ID": f"<{mark('id')}@x>"},
        )
        probe.attach_alternative(self.html, "text/html")
        mime = cast(_DjangoMIME, probe.message())
        mime.set_boundary(f"=={uuid.uuid4().hex}==")
        data = mime.as_bytes(linesep="\r\n")
        sources = "\n".join([self.subject, self.text, self.html, *self.headers.values()])
        token = self.renderer._token.encode()
        if data.count(token) != sources.count(self.renderer._token) + 3:
            return None
        if b"quoted-printable" in data or b"Content-Transfer-Encoding: base64" in data:
            return None
        # An ASCII-only part is labelled 7bit, but a filled-in name may be "Zoë": 8bit is
        # right for both (the line-length limit is the same), so every part says 8bit.
        return data.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: 8bit")

    def _can_fill(self, fill: dict[str, tuple[str, str]], to: list[str]) -> bool:
        """Byte filling skips the e-mail package's checks, so anything that would need
        encoding (a non-ASCII value in a header, an odd address) or could make an over-long
        line takes the normal path, where Django encodes or refuses it. Values are already
        single lines (``single_line``)."""
        if self.blueprint is None or len(to) != 1:
            return False
        address = to[0]
        if not address.isascii() or "\r" in address or "\n" in address:
            return False
        for name, (text, html) in fill.items():
            if max(len(line) for line in _LINE_BREAK.split(text + "\n" + html)) > _MAX_LINE:
                return False
            if not text.isascii() and self.renderer.mark(name) in self._head:
                return False
        return True

    def message(self, *, fill: dict[str, tuple[str, str]], to: list[str]) -> PreparedEmail:
        mark = self.renderer.mark
        subject, text, html, headers = self.subject, self.text, self.html, dict(self.headers)
        fill = {
            name: (single_line(t), single_line(h)) if mark(name) in self._head else (t, h)
            for name, (t, h) in fill.items()
        }
        headers.setdefault("Message-ID", message_id())
        for name, (text_value, html_value) in fill.items():
            subject = subject.replace(mark(name), text_value)
            text = text.replace(mark(name), text_value)
            html = html.replace(mark(name, "h"), html_value)
            headers = {k: v.replace(mark(name), text_value) for k, v in headers.items()}
        message = PreparedEmail(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            headers=headers,
        )
        message.attach_alternative(html, "text/html")
        data = self.blueprint
        if data is not None and self._can_fill(fill, to):
            values = [
                (mark("to") + "@invalid", to[0]),
                (mark("date"), formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
                (f"<{mark('id')}@x>", headers["Message-ID"]),
            ]
            for name, (text_value, html_value) in fill.items():
                values += [(mark(name), text_value), (mark(name, "h"), html_value)]
            for marker, value in values:
                data = data.replace(marker.encode(), crlf_text(value))
            message.preset(data)
        return message


class _Serialized:
    """What ``PreparedEmail.message()`` returns: the SMTP bytes, computed once.

    Backends ask for bytes in two ways: Django 5.2 calls ``message().as_bytes(linesep="\r\n")``,
    Django 6 calls ``message(policy=email.policy.SMTP).as_bytes()`` and takes the line ending
    from that policy. Both get the prepared CRLF bytes; anything else (``\n`` for the console
    and file backends) is serialised from the parsed message.
    """

    def __init__(
        self, data: bytes, mime: Message | None = None, policy: Policy | None = None
    ) -> None:
        self._data = data
        self._parsed = mime
        self._policy = policy

    def as_bytes(
        self, unixfrom: bool = False, linesep: str | None = None, policy: Policy | None = None
    ) -> bytes:
        policy = policy or self._policy
        if linesep is None:
            linesep = policy.linesep if policy is not None else "\n"
        if linesep == "\r\n" and not unixfrom:
            return self._data
        if not unixfrom:  # the same bytes with other line endings (console and file backends)
            return self._data.replace(b"\r\n", linesep.encode())
        # A parsed copy: Django's own MIME classes take no policy, the e-mail package does.
        parsed = message_from_bytes(self._data)
        return parsed.as_bytes(unixfrom=True, policy=parsed.policy.clone(linesep=linesep))

    @property
    def mime(self) -> Message:
        if self._parsed is None:
            self._parsed = message_from_bytes(self._data)
        return self._parsed

    def __getitem__(self, name: str) -> Any:
        return self.mime[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # copy/pickle probe before __init__ ran
            raise AttributeError(name)
        return getattr(self.mime, name)


class PreparedEmail(EmailMultiAlternatives):
    """An e-mail whose SMTP bytes are made once: preset from a shape's blueprint, or
    serialised on first use (with a fixed random MIME boundary, which spares the generator
    a regular-expression compile per message). Every backend still sends it as usual."""

    _prepared: _Serialized | None = None

    def preset(self, data: bytes) -> None:
        self._prepared = _Serialized(data)

    def message(self, *, policy: Policy | None = None) -> _Serialized:  # type: ignore[override]  # a stand-in with the bytes, see _Serialized
        if self._prepared is None:
            self.extra_headers.setdefault("Message-ID", message_id())
            mime = cast(_DjangoMIME, super().message())
            mime.set_boundary(f"=={uuid.uuid4().hex}==")
            self._prepared = _Serialized(mime.as_bytes(linesep="\r\n"), mime)
        self._prepared._policy = policy
        return self._prepared


def _message(
    *, subject: str, text: str, html: str, to: list[str], headers: dict[str, str] | None
) -> EmailMultiAlternatives:
    message = PreparedEmail(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers=headers or {},
    )
    message.attach_alternative(html, "text/html")
    return message
