from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods

from invoices import roles, storage
from invoices.models import Channel, Invoice
from invoices.services import invoice_intake

from .forms import UploadForm


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
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
    return render(request, "review/upload.html", {"form": form, "outcomes": outcomes})


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
