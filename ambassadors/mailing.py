"""Programme mail: template triplets rendered in the reader's language, sent a batch at a time
over one SMTP connection, with deliveries claimed before and recorded after.

The claim/record pair is shared by weekly digests (``DigestDelivery``) and urgent alerts
(``AlertDelivery``): a row is inserted before the message goes out (the unique constraint makes
a second claim fail) and marked once the mail server has answered, so a retry, a second worker
or a redelivered task message never sends a second copy.
"""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email import message_from_bytes
from email.utils import formatdate, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import models, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import AlertDelivery, DeliveryStatus, DigestDelivery, DigestRun
from .shutdown import SendingInterrupted, batch_sending, shutdown_requested

log = logging.getLogger(__name__)


class TransientMailError(Exception):
    """The mail server could not take some messages now; a later attempt may work.

    Raised only after the messages that were not handed over have been released, so the
    retried task claims (and sends) exactly those again.
    """


# Celery options of every task that sends a batch of programme mail: retry with back-off only
# on errors a later attempt can get past.
SEND_RETRY = {
    "autoretry_for": (TransientMailError,),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 5,
    "ignore_result": True,
}


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

    def __init__(self, template: str):
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


def with_contact(queryset):
    """Address and first name as plain columns: ``select_related("user")`` would tie each
    ambassador and user in a reference cycle (the one-to-one caches both ways) that only the
    cyclic garbage collector frees, so memory would grow with the number of ambassadors."""
    return queryset.annotate(
        contact_email=F("user__email"),
        contact_name=Coalesce(NullIf(F("user__first_name"), Value("")), F("user__display_name")),
    )


def contact(ambassador) -> tuple[str, str]:
    """(address, first name or else display name) from ``with_contact``, or from the user
    when loaded another way."""
    if hasattr(ambassador, "contact_email"):
        return ambassador.contact_email or "", single_line(ambassador.contact_name or "")
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


_MAX_LINE = 400  # characters: a filled line never pushes a line past SMTP's 998 octets


class _Shape:
    """One rendered e-mail with markers, and its MIME bytes when they can be reused."""

    def __init__(self, *, renderer: EmailRenderer, subject, text, html, headers):
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
        mime = probe.message()
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
        if self._can_fill(fill, to):
            data = self.blueprint
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

    def __init__(self, data: bytes, mime=None, policy=None):
        self._data = data
        self._parsed = mime
        self._policy = policy

    def as_bytes(self, unixfrom: bool = False, linesep: str | None = None, policy=None) -> bytes:
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
    def mime(self):
        if self._parsed is None:
            self._parsed = message_from_bytes(self._data)
        return self._parsed

    def __getitem__(self, name: str):
        return self.mime[name]

    def __getattr__(self, name: str):
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

    def message(self, *, policy=None):
        if self._prepared is None:
            self.extra_headers.setdefault("Message-ID", message_id())
            mime = super().message()
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


def is_transient(exc: BaseException) -> bool:
    """4xx answers, dropped connections and network errors may pass; 5xx answers will not.
    (Every smtplib error is also an OSError, so the order of these checks matters.)"""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):
        return False
    return isinstance(exc, OSError)


def _record_refused_recipients(exc: BaseException) -> None:
    """A permanent (5xx) answer to RCPT TO is a hard bounce for that address."""
    if not isinstance(exc, smtplib.SMTPRecipientsRefused):
        return
    from .bounces import Kind, bounce_record

    for address, (code, answer) in exc.recipients.items():
        if 500 <= code < 600:
            reason = (
                f"{code} {answer.decode(errors='replace') if isinstance(answer, bytes) else answer}"
            )
            bounce_record(email=address, kind=Kind.HARD, reason=reason, source="smtp")


def _breaks_connection(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


@dataclass
class SendOutcome:
    """What the mail server said about each message of a batch, by key."""

    sent: list[Hashable] = field(default_factory=list)
    failed: dict[Hashable, str] = field(default_factory=dict)
    pending: list[Hashable] = field(default_factory=list)
    error: BaseException | None = None
    # The worker is stopping: ``pending`` holds the messages not yet handed over.
    interrupted: bool = False


def messages_send(
    *,
    keys: Sequence[Hashable],
    build: Callable[[Hashable], EmailMessage],
    should_stop: Callable[[], bool] = shutdown_requested,
) -> SendOutcome:
    """Send one message per key over ONE connection, one message per call, so we know exactly
    which messages the server accepted when it fails halfway (``send_messages`` on the whole
    list would not say). Messages are built as they go, so memory does not grow with the batch.

    A permanent refusal fails that message only; a temporary one leaves it pending; a broken
    connection leaves it and every later message pending (not handed over, safe to retry). A
    message that cannot even be built is recorded as failed with the reason.

    ``should_stop`` is asked before each message (default: has this worker been asked to
    stop, see ``ambassadors/shutdown.py``): once it says yes, the message being sent has
    finished and every later one is left pending with ``interrupted`` set.
    """
    outcome = SendOutcome()
    keys = list(keys)
    if not keys:
        return outcome
    with batch_sending():
        return _send_each(keys=keys, build=build, should_stop=should_stop, outcome=outcome)


def _send_each(*, keys, build, should_stop, outcome: SendOutcome) -> SendOutcome:
    if should_stop():
        outcome.pending = keys
        outcome.interrupted = True
        return outcome
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except Exception as exc:
        if not is_transient(exc):
            outcome.failed = dict.fromkeys(keys, _describe(exc))
            return outcome
        outcome.pending = keys
        outcome.error = exc
        return outcome
    try:
        for index, key in enumerate(keys):
            if should_stop():
                outcome.pending.extend(keys[index:])
                outcome.interrupted = True
                log.info("worker stopping: batch paused after %d of %d e-mails", index, len(keys))
                break
            try:
                message = build(key)
            except Exception as exc:  # noqa: BLE001 - recorded as this message's failure
                outcome.failed[key] = _describe(exc)
                continue
            try:
                connection.send_messages([message])
            except Exception as exc:
                if _breaks_connection(exc):
                    outcome.pending.extend(keys[index:])
                    outcome.error = exc
                    break
                if is_transient(exc):
                    outcome.pending.append(key)
                    outcome.error = outcome.error or exc
                else:
                    outcome.failed[key] = _describe(exc)
                    _record_refused_recipients(exc)
            else:
                outcome.sent.append(key)
    finally:
        with contextlib.suppress(Exception):  # the server may already be gone
            connection.close()
    return outcome


# Claims -------------------------------------------------------------------------------------

Delivery = type[DigestDelivery] | type[AlertDelivery]


def claim_token() -> uuid.UUID:
    return uuid.uuid4()


def deliveries_claim(
    *, model: Delivery, rows: list[models.Model], token: uuid.UUID, scope: dict
) -> set[int]:
    """Insert all claims in one statement and read back the ambassadors this claim got.

    Rows that already exist (sent, failed, or claimed by another execution) are skipped by the
    unique constraint; reading back by our own token tells us which inserts were ours. This
    works the same on SQLite, where ``select_for_update`` does nothing.
    """
    if not rows:
        return set()
    with transaction.atomic():
        model.objects.bulk_create(rows, ignore_conflicts=True)
        return set(
            model.objects.filter(claim=token, **scope).values_list("ambassador_id", flat=True)
        )


@dataclass
class RecordResult:
    sent: int = 0
    failed: int = 0
    released: int = 0


def deliveries_record(
    *,
    model: Delivery,
    token: uuid.UUID,
    scope: dict,
    outcome: SendOutcome,
    final_attempt: bool,
    now: datetime | None = None,
) -> RecordResult:
    """Mark what the server accepted in one update; record refusals with their reason.

    Messages left pending by a temporary error are released (their claim rows deleted) so the
    retry can claim them again, or recorded as failed on the last attempt; those left pending
    because the worker is stopping are always released. Only rows still
    ``claimed`` are touched: a row the sweep already called ``unknown`` stays that way. Must be
    called inside the caller's transaction so run counters move together with the rows.
    """
    now = now or timezone.now()
    ours = model.objects.filter(claim=token, status=DeliveryStatus.CLAIMED, **scope)
    result = RecordResult()
    if outcome.sent:
        result.sent = ours.filter(ambassador_id__in=outcome.sent).update(
            status=DeliveryStatus.SENT, sent_at=now, error=""
        )
    by_error: dict[str, list[Hashable]] = defaultdict(list)
    for key, error in outcome.failed.items():
        by_error[error].append(key)
    if outcome.pending and final_attempt and not outcome.interrupted:
        by_error[_describe(outcome.error) if outcome.error else "gave up"].extend(outcome.pending)
    elif outcome.pending:
        result.released, _detail = ours.filter(ambassador_id__in=outcome.pending).delete()
    for error, keys in by_error.items():
        result.failed += ours.filter(ambassador_id__in=keys).update(
            status=DeliveryStatus.FAILED, error=error
        )
    return result


def deliveries_send(
    *,
    model,
    rows: list[models.Model],
    token: uuid.UUID,
    scope: dict,
    build: Callable[[int], EmailMessage],
    final_attempt: bool,
) -> tuple[set[int], RecordResult]:
    """The one claim → send → record skeleton of a batch of programme mail (urgent and crisis
    alerts): claim ``rows`` in one insert, send one message per claimed ambassador id over one
    connection (``build(ambassador_id)``), record what the server said in one transaction.

    Returns (claimed ambassador ids, recorded counts). After recording, raises
    ``SendingInterrupted`` when the worker is stopping (the task is requeued and sends exactly
    the released rest) and ``TransientMailError`` when a temporary error left messages
    pending on a non-final attempt (the task retries with back-off)."""
    claimed = deliveries_claim(model=model, rows=rows, token=token, scope=scope)
    keys = [row.ambassador_id for row in rows if row.ambassador_id in claimed]
    outcome = messages_send(keys=keys, build=build)
    with transaction.atomic():
        recorded = deliveries_record(
            model=model, token=token, scope=scope, outcome=outcome, final_attempt=final_attempt
        )
    outcome_raise(outcome, final_attempt=final_attempt)
    return claimed, recorded


def outcome_raise(outcome: SendOutcome, *, final_attempt: bool) -> None:
    """Called after a batch recorded its outcome: ``SendingInterrupted`` when the worker is
    stopping (the task is requeued and sends exactly the released rest), ``TransientMailError``
    when a temporary error left messages pending on a non-final attempt (the task retries)."""
    if outcome.interrupted:
        raise SendingInterrupted(f"{len(outcome.pending)} e-mails released: the worker is stopping")
    if outcome.pending and not final_attempt:
        raise TransientMailError(
            f"{len(outcome.pending)} e-mails not handed over: {outcome.error}"
        ) from outcome.error


UNKNOWN_NOTE = "The worker stopped before it could record whether the mail server took this e-mail."


def claims_mark_unknown(*, model, older_than: timedelta, now: datetime | None = None) -> int:
    """Rows of ``model`` (a ``Delivery``) claimed longer ago than ``older_than`` become
    ``unknown``: their worker died mid-batch, the server may or may not have the message, and
    they are never resent automatically. Returns how many."""
    cutoff = (now or timezone.now()) - older_than
    return model.objects.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=cutoff).update(
        status=DeliveryStatus.UNKNOWN, error=UNKNOWN_NOTE
    )


def deliveries_mark_unknown(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Claims older than the timeout belong to a worker that died mid-batch: the mail server
    may or may not have the message. They become ``unknown`` (shown to comms) and are never
    resent automatically; the digest run's counter moves with them."""
    cutoff = (now or timezone.now()) - older_than
    stale = DigestDelivery.objects.filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=cutoff)
    marked = 0
    run_ids = list(stale.order_by().values_list("run_id", flat=True).distinct())
    for run_id in run_ids:
        with transaction.atomic():
            count = stale.filter(run_id=run_id).update(
                status=DeliveryStatus.UNKNOWN, error=UNKNOWN_NOTE
            )
            if run_id is not None and count:
                DigestRun.objects.filter(pk=run_id).update(unknown=F("unknown") + count)
                run_finish_if_done(run_id=run_id)
        marked += count
    return marked + claims_mark_unknown(model=AlertDelivery, older_than=older_than, now=now)


def run_finish_if_done(*, run_id: int, now: datetime | None = None) -> bool:
    """One conditional update, so concurrent batches cannot both (or neither) finish a run."""
    done = F("sent") + F("failed") + F("unknown") + F("skipped")
    return bool(
        DigestRun.objects.filter(
            pk=run_id, finished_at__isnull=True, planned__gt=0, planned__lte=done
        ).update(finished_at=now or timezone.now())
    )
