"""Studio: digest runs with live progress, problem deliveries, previews and test sends."""

from csp.decorators import csp_replace
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from ..mail.digests.selection import digest_preview
from ..mail.digests.sending import digest_message, digest_run_resend_unknown, digest_send_test
from ..mail.selectors import (
    alert_deliveries_with_problems,
    ambassador_gets_digests,
    ambassadors_matching,
    ambassadors_with_account,
    digest_deliveries_with_problems,
    digest_run_events,
    digest_run_problems,
    digest_runs_with_progress,
)
from ..models import (
    Ambassador,
    DigestRun,
    SiteSettings,
)
from .access import SignedInRequest, comms_required


@comms_required
def runs(request: SignedInRequest) -> HttpResponse:
    site = SiteSettings.load()
    context = {
        "studio_section": "digests",
        "runs": digest_runs_with_progress()[:30],
        "digest_problems": digest_deliveries_with_problems(limit=50),
        "alert_problems": alert_deliveries_with_problems(limit=50),
        "site": site,
    }
    return render(request, "studio/digests/runs.html", context)


@comms_required
def run_detail(request: SignedInRequest, run_id: int) -> HttpResponse:
    """htmx asks for the row every 2 s while the run is going; the finished row has no
    trigger, so polling stops by itself."""
    run = get_object_or_404(digest_runs_with_progress(), pk=run_id)
    if request.htmx:
        return render(request, "studio/digests/_run_row.html", {"run": run})
    problems = digest_run_problems(run=run, limit=500)
    return render(
        request,
        "studio/digests/run.html",
        {
            "studio_section": "digests",
            "run": run,
            "problems": problems,
            "events": digest_run_events(run=run),
        },
    )


@comms_required
@require_POST
def run_resend_unknown(request: SignedInRequest, run_id: int) -> HttpResponse:
    """Comms' explicit, one-off choice; the page says plainly that some may get it twice."""
    run = get_object_or_404(DigestRun, pk=run_id)
    count = digest_run_resend_unknown(run_id=run.pk, by=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "Sending the weekly e-mail again to %(count)d person.",
                "Sending the weekly e-mail again to %(count)d people.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Nobody in this run is marked unknown any more."))
    return redirect("ambassadors:studio_digest_run", run_id=run.pk)


@comms_required
def preview_search(request: SignedInRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    found: QuerySet[Ambassador] | list[Ambassador] = []
    if query:
        found = ambassadors_matching(query=query, limit=20)
    return render(
        request,
        "studio/digests/preview_search.html",
        {"studio_section": "digests", "query": query, "found": found},
    )


def _ambassador(ambassador_id: int) -> Ambassador:
    return get_object_or_404(ambassadors_with_account(), pk=ambassador_id)


@comms_required
def preview(request: SignedInRequest, ambassador_id: int) -> HttpResponse:
    ambassador = _ambassador(ambassador_id)
    digest = digest_preview(ambassador=ambassador)
    message = digest_message(digest=digest, test_to=request.user.email or "preview@invalid")
    return render(
        request,
        "studio/digests/preview.html",
        {
            "studio_section": "digests",
            "subject_ambassador": ambassador,
            "digest": digest,
            "subject": message.subject,
            "text": message.body,
            "gets_digests": ambassador_gets_digests(ambassador=ambassador),
        },
    )


@comms_required
@xframe_options_sameorigin
@csp_replace(  # type: ignore[arg-type]  # django-csp types a view as taking only the request
    {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["https:", "data:"],
        "script-src": ["'none'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'none'"],
    }
)
def preview_html(request: SignedInRequest, ambassador_id: int) -> HttpResponse:
    """The e-mail's own HTML, framed (sandboxed) by the preview page. E-mail HTML needs
    inline styles, so this one response allows them and nothing else: no scripts at all."""
    ambassador = _ambassador(ambassador_id)
    message = digest_message(
        digest=digest_preview(ambassador=ambassador),
        test_to=request.user.email or "preview@invalid",
    )
    html, _mimetype = message.alternatives[0]
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@comms_required
@require_POST
def send_test(request: SignedInRequest, ambassador_id: int) -> HttpResponse:
    ambassador = _ambassador(ambassador_id)
    if not request.user.email:
        messages.error(request, _("Your account has no e-mail address."))
    else:
        digest_send_test(ambassador=ambassador, to=request.user.email)
        messages.success(request, _("We sent a test to %(email)s.") % {"email": request.user.email})
    return redirect("ambassadors:studio_digest_preview", ambassador_id=ambassador.pk)
