"""The queue: invoices needing attention, sortable, filterable, searchable and paginated, with counts per status.

One view renders the page, or just its results when HTMX asks (the filter form swaps the table in place and
pushes the URL, so every view of the queue is a link). Reads go through ``invoices.selectors``.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from invoices import roles
from invoices.models import Status
from invoices.selectors import ATTENTION_STATUSES, InvoiceFilters, queue_invoices, queue_rows, status_counts

from .links import review_url_template

PAGE_SIZE = 50
SORTS = [
    ("age", "Oldest first"),
    ("-age", "Newest first"),
    ("due", "Due date, soonest first"),
    ("-due", "Due date, latest first"),
    ("confidence", "Lowest confidence first"),
    ("-amount", "Largest amount first"),
    ("amount", "Smallest amount first"),
]
YES_NO = [("", "Any"), ("yes", "Yes"), ("no", "No")]


class QueueForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Invoice number or vendor"}))
    status = forms.MultipleChoiceField(label="Status", required=False, choices=Status.choices,
                                       widget=forms.CheckboxSelectMultiple)
    vendor = forms.CharField(label="Vendor", required=False, max_length=100)
    date_from = forms.DateField(label="Invoice date from", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="to", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount_min = forms.DecimalField(label="Total from", required=False, min_value=0, decimal_places=4,
                                    widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    amount_max = forms.DecimalField(label="to", required=False, min_value=0, decimal_places=4,
                                    widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    duplicates = forms.ChoiceField(label="Possible duplicate", required=False, choices=YES_NO)
    failed_rules = forms.ChoiceField(label="Failed rules", required=False, choices=YES_NO)
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORTS)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "The upper amount is below the lower one.")
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> InvoiceFilters:
        data = self.cleaned_data if self.is_valid() else {}
        yes_no = {"yes": True, "no": False}
        return InvoiceFilters(
            statuses=data.get("status") or list(ATTENTION_STATUSES),
            search=data.get("q", ""),
            vendor=data.get("vendor", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            has_duplicates=yes_no.get(data.get("duplicates", "")),
            has_failed_rules=yes_no.get(data.get("failed_rules", "")),
        )

    def ordering(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "age"


@login_required
@require_GET
def queue(request):
    if not roles.can_view(request.user):
        raise PermissionDenied("Your account has no role that may see invoices.")
    form = QueueForm(request.GET)
    filters = form.filters()
    ordering = form.ordering()
    page = Paginator(queue_invoices(filters=filters, ordering=ordering), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = queue_rows(page.object_list)  # a page of ids → its rows, in order
    counts = status_counts()
    context = {
        "form": form,
        "page": page,
        "sort": ordering,
        "shown_statuses": filters.statuses,
        "default_statuses": not (form.is_valid() and form.cleaned_data.get("status")),
        "counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "review_url": review_url_template(),
    }
    template = "review/_queue_results.html" if request.htmx and not request.htmx.boosted else "review/queue.html"
    return render(request, template, context)
