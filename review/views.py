from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from invoices import roles, storage
from invoices.models import Channel, Invoice
from invoices.selectors import invoice_statuses
from invoices.services import invoice_intake

from .forms import UploadForm
from .links import review_url, review_url_template

# The upload page's script sends one file per request, a few at a time; the status poll asks for many at once.
STATUS_IDS_MAX = 100
OUTCOME_HTTP_STATUS = {"created": 201, "duplicate": 200, "rejected": 422}


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """The upload page. With JavaScript the page sends each file to ``upload_file``; without, the form posts here."""
    if not roles.can_upload(request.user):
        raise PermissionDenied("Your account has no role that may upload invoices.")
    outcomes = []
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        outcomes = [
            invoice_intake(file=f, name=f.name, channel=Channel.UPLOAD, uploaded_by=request.user)
            for f in form.cleaned_data["files"]
        ]
        form = UploadForm()
    return render(request, "review/upload.html", {"form": form, "outcomes": outcomes,
                                                  "review_url": review_url_template()})


@login_required
@require_POST
def upload_file(request):
    """One file in, one JSON answer out: created (201), duplicate of an earlier invoice (200), or refused (422)
    with the intake service's reason. The upload page calls it once per file, a few in parallel."""
    if not roles.can_upload(request.user):
        return JsonResponse({"error": "Your account has no role that may upload invoices."}, status=403)
    file = request.FILES.get("file")
    if file is None:
        return JsonResponse({"error": "No file was sent.", "code": "no_file"}, status=400)
    outcome = invoice_intake(file=file, name=file.name, channel=Channel.UPLOAD, uploaded_by=request.user)
    invoice = outcome.invoice
    body = {"name": outcome.name, "outcome": outcome.outcome, "message": outcome.message, "code": outcome.code}
    if invoice is not None:
        invoice.refresh_from_db(fields=["status", "status_reason"])  # the pipeline may have moved on already
        body.update(id=str(invoice.pk), status=invoice.status, label=invoice.get_status_display(),
                    url=review_url(invoice.pk))
    return JsonResponse(body, status=OUTCOME_HTTP_STATUS[outcome.outcome])


@login_required
@require_GET
def upload_status(request):
    """Where the given invoices (``?id=..&id=..``, at most 100) are in the pipeline; unknown ids are left out."""
    if not roles.can_view(request.user):
        return JsonResponse({"error": "Your account has no role that may see invoices."}, status=403)
    ids = request.GET.getlist("id")
    if len(ids) > STATUS_IDS_MAX:
        return JsonResponse({"error": f"Ask for at most {STATUS_IDS_MAX} invoices at a time."}, status=400)
    valid = []
    for value in ids:
        try:
            valid.append(Invoice._meta.pk.to_python(value))
        except Exception:
            return JsonResponse({"error": f"Not an invoice id: {value[:40]}"}, status=400)
    template = review_url_template()
    rows = invoice_statuses(valid)
    for row in rows:
        row["url"] = review_url(row["id"], template)
    return JsonResponse({"invoices": rows})


@login_required
@require_GET
def original(request, invoice_id):
    if not roles.can_view(request.user):
        raise PermissionDenied("Your account has no role that may see invoices.")
    invoice = get_object_or_404(Invoice, pk=invoice_id)
    try:
        handle = storage.raw_storage().open(invoice.original.name, "rb")
    except FileNotFoundError:
        raise Http404("The original file is missing from storage.") from None
    disposition = request.GET.get("download") == "1"
    return FileResponse(handle, as_attachment=disposition, filename=invoice.original_name,
                        content_type=invoice.content_type)
