"""What the API shows and accepts. Serializers shape data and check its form; services decide and write.

Output serializers read the objects the selectors return (with their joins and prefetches); input serializers
turn a request into the plain arguments of one service call.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from stdnum import iban as stdnum_iban

from invoices.models import (
    AuditEvent,
    Invoice,
    InvoiceField,
    LineItem,
    ProcessingAttempt,
    RuleResult,
    Status,
    Vendor,
)
from invoices.selectors import ORDERINGS
from invoices.values import format_decimal, iso_currencies
from pipeline.extraction.types import FIELD_NAMES

BBOX_SCHEMA = {
    "type": "array",
    "items": {"type": "number"},
    "minItems": 4,
    "maxItems": 4,
    "nullable": True,
    "description": "[left, top, width, height] as fractions of the page, origin top-left.",
}


@extend_schema_field(BBOX_SCHEMA)
class BBoxField(serializers.JSONField):
    """A bounding box as the engine gave it."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)


class AmountField(serializers.DecimalField):
    """A money amount or quantity as a decimal string with at least two decimals: "119.00", "0.125"."""

    def to_representation(self, value):
        return None if value is None else format_decimal(Decimal(value))


class Text(serializers.CharField):
    """Input text that must be a JSON string: a number or a boolean where text is expected is refused, not coerced."""

    default_error_messages = {"invalid": "Send this as a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUID(serializers.UUIDField):
    default_error_messages = {"invalid": "Send an invoice id (a UUID string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


DECIMAL_PATTERN = r"^-?[0-9]{1,14}(\.[0-9]{1,4})?$"


@extend_schema_field({"type": "string", "pattern": DECIMAL_PATTERN, "nullable": True,
                      "description": "A decimal as a string, like \"1234.56\" (at most 4 decimals)."})
class DecimalInput(serializers.DecimalField):
    """Amounts in, as out: decimal strings. JSON numbers are binary floats, not money; they are refused."""

    default_error_messages = {"invalid": "Send a decimal string such as \"1234.56\" (at most 4 decimals)."}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(DECIMAL_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class _ModelSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DecimalField: AmountField}


def _absolute(request, name: str, *args) -> str:
    return reverse(name, args=args, request=request)


# --- reading invoices ------------------------------------------------------------------------------------------
class VendorRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vendor
        fields = ("id", "name")


class InvoiceSummarySerializer(_ModelSerializer):
    """One invoice in a list: status, key values and where to poll it."""

    url = serializers.SerializerMethodField(help_text="This invoice in the API: poll it for its status.")
    vendor = VendorRefSerializer(read_only=True, allow_null=True, help_text="The matched vendor record, if any.")
    needs_review = serializers.SerializerMethodField()
    review_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Invoice
        fields = (
            "id", "url", "status", "status_reason", "review_reasons", "needs_review", "version",
            "invoice_number", "invoice_date", "due_date", "vendor", "vendor_name", "currency",
            "subtotal", "tax", "total", "amount_due", "min_confidence", "failed_rules", "has_duplicates",
            "channel", "original_name", "created_at", "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, invoice: Invoice) -> str:
        return _absolute(self.context.get("request"), "api:invoice-detail", invoice.pk)

    def get_needs_review(self, invoice: Invoice) -> bool:
        return invoice.status == Status.NEEDS_REVIEW


class FieldValueSerializer(serializers.ModelSerializer):
    bbox = BBoxField()

    class Meta:
        model = InvoiceField
        fields = ("value", "confidence", "page", "bbox", "source", "engine", "updated_at")
        read_only_fields = fields


class _FieldsMap(serializers.Serializer):
    """All extracted or corrected fields, keyed by contract name; a field not found is left out."""

    def to_representation(self, instance) -> dict[str, Any]:
        rows = instance.all() if hasattr(instance, "all") else instance  # the prefetched related manager
        return {f.name: FieldValueSerializer(f, context=self.context).data for f in rows}


FieldsMapSerializer = serializers.SerializerMetaclass(
    "FieldsMapSerializer",
    (_FieldsMap,),
    # required=False and not read_only: the schema must not list them as always present.
    {name: FieldValueSerializer(required=False) for name in FIELD_NAMES},
)


class LineItemSerializer(_ModelSerializer):
    bbox = BBoxField()

    class Meta:
        model = LineItem
        fields = ("position", "description", "quantity", "unit_price", "amount", "confidence", "page", "bbox",
                  "source")
        read_only_fields = fields


class RuleResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = RuleResult
        fields = ("code", "severity", "passed", "message", "related_invoice")
        read_only_fields = fields

    def get_fields(self):
        # A member named "fields" cannot be declared on the class: it would hide Serializer.fields.
        fields = super().get_fields()
        fields["fields"] = serializers.ListField(child=serializers.CharField(), read_only=True,
                                                help_text="The invoice fields the rule looked at.")
        return fields


class DuplicateSerializer(serializers.Serializer):
    """A probable duplicate found by the rules (a failed ``duplicate*`` rule naming the other invoice)."""

    invoice = serializers.UUIDField(source="related_invoice_id")
    url = serializers.SerializerMethodField()
    invoice_number = serializers.CharField(source="related_invoice.invoice_number")
    status = serializers.ChoiceField(choices=Status.choices, source="related_invoice.status")
    message = serializers.CharField()
    dismissed = serializers.SerializerMethodField(help_text="A person marked the two as not duplicates.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, result: RuleResult) -> str:
        return _absolute(self.context.get("request"), "api:invoice-detail", result.related_invoice_id)

    def get_dismissed(self, result: RuleResult) -> bool:
        return result.related_invoice_id in self.context.get("dismissed", set())


class AuditEventSerializer(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField(source="actor_name")
    detail = serializers.DictField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = ("at", "actor", "action", "field", "old_value", "new_value", "detail", "invoice_version")
        read_only_fields = fields


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessingAttempt
        fields = ("stage", "outcome", "started_at", "finished_at", "duration_ms", "engine", "error")
        read_only_fields = fields


class FileSerializer(serializers.Serializer):
    name = serializers.CharField(source="original_name")
    kind = serializers.CharField(source="file_kind")
    content_type = serializers.CharField()
    size_bytes = serializers.IntegerField()
    page_count = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="Download the original (a redirect to a short-lived link, "
                                                      "or the file itself).")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, invoice: Invoice) -> str:
        return _absolute(self.context.get("request"), "api:invoice-original", invoice.pk)


class InvoiceDetailSerializer(InvoiceSummarySerializer):
    """One invoice with everything: fields with confidence and position, line items, rules, duplicates, audit."""

    vendor_tax_id = serializers.CharField(read_only=True)
    line_items = LineItemSerializer(many=True, read_only=True)
    rule_results = RuleResultSerializer(many=True, read_only=True)
    duplicates = serializers.SerializerMethodField()
    audit = AuditEventSerializer(many=True, read_only=True, help_text="Newest first.")
    attempts = AttemptSerializer(many=True, read_only=True, help_text="Processing runs, newest first.")
    file = FileSerializer(source="*", read_only=True)
    result_url = serializers.SerializerMethodField(help_text="The stored extraction result (JSON); null before "
                                                             "the first extraction.")
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta(InvoiceSummarySerializer.Meta):
        fields = (
            *InvoiceSummarySerializer.Meta.fields,
            "vendor_tax_id", "customer_name", "po_number", "iban", "engine", "extracted_at", "routed_at",
            "processing_ms", "decided_by", "decided_at", "rejection_reason", "file", "result_url",
            "line_items", "rule_results", "duplicates", "audit", "attempts",
        )
        read_only_fields = fields

    def get_fields(self):
        # A member named "fields" cannot be declared on the class (it would hide Serializer.fields): add it here,
        # just before the line items.
        ordered = {}
        for name, field in super().get_fields().items():
            if name == "line_items":
                ordered["fields"] = FieldsMapSerializer(
                    read_only=True, help_text="Value, confidence (0-100), page and box of each field found or corrected."
                )
            ordered[name] = field
        return ordered

    @extend_schema_field(DuplicateSerializer(many=True))
    def get_duplicates(self, invoice: Invoice) -> list[dict]:
        from invoices.selectors import duplicates_of

        results = duplicates_of(invoice)
        dismissed = set(invoice.duplicate_dismissals.values_list("other_id", flat=True)) if results else set()
        return DuplicateSerializer(results, many=True, context={**self.context, "dismissed": dismissed}).data

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_result_url(self, invoice: Invoice) -> str | None:
        if not invoice.result_path:
            return None
        return _absolute(self.context.get("request"), "api:invoice-result", invoice.pk)


class OriginalLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="A presigned link to the original; also in the Location header.")
    expires_in = serializers.IntegerField(help_text="Seconds the link stays valid.")


class UploadOutcomeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file name as received.")
    outcome = serializers.ChoiceField(choices=["created", "duplicate", "rejected"])
    code = serializers.CharField(help_text="Why a file was refused (machine-readable); empty when created.")
    message = serializers.CharField(help_text="Why it was refused or what it duplicates, for people.")
    invoice = InvoiceSummarySerializer(allow_null=True, help_text="The new invoice, or the earlier one a "
                                                                  "duplicate matches; null when refused.")


class UploadResultSerializer(serializers.Serializer):
    results = UploadOutcomeSerializer(many=True)


# --- problems (for the schema; the exception handler builds them) ------------------------------------------------
class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The parameter or body member, as a dotted path (fields.total, "
                                            "line_items[1].amount); empty for the request as a whole.")
    detail = serializers.CharField()
    code = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="A URI identifying the problem type (about:blank for plain HTTP "
                                           "errors); it links to its documentation.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The request path.")
    errors = FieldErrorSerializer(many=True, required=False)
    correlation_id = serializers.CharField(required=False, help_text="Quote it when reporting a problem.")
    current_version = serializers.IntegerField(required=False, help_text="412/428: the invoice's current version.")
    current = InvoiceDetailSerializer(required=False, help_text="412: the invoice as it is now.")
    results = UploadOutcomeSerializer(many=True, required=False, help_text="Upload: the outcome per file.")
    existing_vendor = serializers.IntegerField(required=False, help_text="409 vendor-exists: its id.")


# --- writing invoices -----------------------------------------------------------------------------------------------
class _StrictSerializer(serializers.Serializer):
    """Refuses members it does not know, instead of silently ignoring a typo (the schema says so too:
    invoices/api/schema.py)."""

    must_name_one = False

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown member."] for name in unknown})
            if self.must_name_one and not data:
                raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: ["Name at least one member."]})
        return super().to_internal_value(data)


FieldChangesSerializer = serializers.SerializerMetaclass(
    "FieldChangesSerializer",
    (_StrictSerializer,),
    {
        "must_name_one": True,
        "__doc__": "New values by field name (text as a person would type it; empty or null clears the value). "
                   "Amounts like 1234.56, dates YYYY-MM-DD, currency as ISO 4217.",
        **{name: Text(required=False, allow_blank=True, allow_null=True, max_length=1000,
                                       trim_whitespace=True) for name in FIELD_NAMES},
    },
)

_AMOUNT = {"max_digits": 18, "decimal_places": 4, "required": False, "allow_null": True,
           "min_value": -(10**13), "max_value": 10**13}


class LineItemInputSerializer(_StrictSerializer):
    description = Text(required=False, allow_blank=True, max_length=2000)
    quantity = DecimalInput(**_AMOUNT)
    unit_price = DecimalInput(**_AMOUNT)
    amount = DecimalInput(**_AMOUNT)


class InvoiceCorrectionSerializer(_StrictSerializer):
    must_name_one = True
    line_items = LineItemInputSerializer(many=True, required=False, max_length=500,
                                         help_text="The complete new list of line items, replacing the old one.")

    def get_fields(self):
        fields = super().get_fields()
        fields["fields"] = FieldChangesSerializer(required=False, help_text="Fields to correct (or confirm).")
        return fields

    def validate(self, attrs):
        if not attrs.get("fields") and "line_items" not in attrs:
            raise serializers.ValidationError("Send `fields` and/or `line_items` to change.")
        return attrs


class ApproveSerializer(_StrictSerializer):
    note = Text(required=False, allow_blank=True, max_length=2000, default="")


class RejectSerializer(_StrictSerializer):
    reason = Text(max_length=2000, help_text="Why; the uploader sees it.")


class ReprocessSerializer(_StrictSerializer):
    reason = Text(required=False, allow_blank=True, max_length=2000, default="")


class NotDuplicateSerializer(_StrictSerializer):
    other = StrictUUID(help_text="The invoice flagged as a possible duplicate that is not one.")


class UploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more files (PDF, PNG, JPEG or TIFF): repeat the form field for several.",
    )


ORDERING_LABELS = {
    "age": "oldest received first", "-age": "newest received first",
    "due": "earliest due date first", "-due": "latest due date first",
    "amount": "smallest total first", "-amount": "largest total first",
    "confidence": "least certain first", "-confidence": "most certain first",
    "updated": "least recently changed first (incremental pulls)", "-updated": "most recently changed first",
}


class InvoiceQuerySerializer(serializers.Serializer):
    """Filters and ordering of the invoice list (query parameters)."""

    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Status.choices), required=False,
        help_text="One or more statuses (repeat the parameter or separate with commas).",
    )
    search = serializers.CharField(required=False, max_length=200,
                                   help_text="Invoice number, vendor or file name contains.")
    number = serializers.CharField(required=False, max_length=100, help_text="Invoice number, exactly (any case).")
    vendor = serializers.IntegerField(required=False, min_value=1, max_value=2**62, help_text="Vendor id.")
    vendor_name = serializers.CharField(required=False, max_length=255, help_text="Vendor name contains.")
    currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False, help_text="ISO 4217 code.")
    invoice_date_from = serializers.DateField(required=False, help_text="Invoice date on or after.")
    invoice_date_to = serializers.DateField(required=False, help_text="Invoice date on or before.")
    total_min = serializers.DecimalField(max_digits=18, decimal_places=4, required=False,
                                         help_text="Total at least.")
    total_max = serializers.DecimalField(max_digits=18, decimal_places=4, required=False,
                                         help_text="Total at most.")
    needs_review = serializers.BooleanField(required=False, default=None,
                                            help_text="true: only needs_review; false: all but needs_review.")
    has_duplicates = serializers.BooleanField(required=False, default=None,
                                              help_text="Flagged (or not) as a possible duplicate.")
    has_failed_rules = serializers.BooleanField(required=False, default=None,
                                                help_text="At least one business rule failed (or none).")
    updated_since = serializers.DateTimeField(
        required=False,
        help_text="Changed at or after this time (ISO 8601): for incremental pulls, with ordering=updated.",
    )
    ordering = serializers.ChoiceField(choices=[(key, ORDERING_LABELS.get(key, key)) for key in ORDERINGS],
                                       required=False, default="-age", help_text="Sort order.")

    @classmethod
    def from_query(cls, params) -> InvoiceQuerySerializer:
        data: dict[str, Any] = {}
        for key in params:
            if key == "status":
                data[key] = [s.strip() for value in params.getlist(key) for s in value.split(",") if s.strip()]
            else:
                data[key] = params.get(key)
        return cls(data=data)


# --- vendors -----------------------------------------------------------------------------------------------------
class VendorSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.CharField: Text}
    url = serializers.SerializerMethodField()

    class Meta:
        model = Vendor
        fields = ("id", "url", "name", "tax_id", "iban", "default_currency", "country", "created_at", "updated_at")
        read_only_fields = ("id", "url", "created_at", "updated_at")
        extra_kwargs = {
            "tax_id": {"required": False, "allow_blank": True},
            "iban": {"required": False, "allow_blank": True},
            "default_currency": {"required": False, "allow_blank": True, "help_text": "ISO 4217 code.",
                                 "error_messages": {"max_length": "Give the ISO 4217 currency code, e.g. EUR."}},
            "country": {"required": False, "allow_blank": True, "help_text": "ISO 3166 two-letter code.",
                        "error_messages": {"max_length": "Give the ISO 3166 two-letter country code, e.g. DE."}},
        }

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, vendor: Vendor) -> str:
        return _absolute(self.context.get("request"), "api:vendor-detail", vendor.pk)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown member."] for name in unknown})
        return super().to_internal_value(data)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("A vendor needs a name.")
        return value.strip()

    def validate_default_currency(self, value: str) -> str:
        value = value.strip().upper()
        if value and value not in iso_currencies():
            raise serializers.ValidationError(f"“{value}” is not an ISO 4217 currency code such as EUR or USD.")
        return value

    def validate_country(self, value: str) -> str:
        value = value.strip().upper()
        if value and not re.fullmatch(r"[A-Z]{2}", value):
            raise serializers.ValidationError("Give the ISO 3166 two-letter country code, for example DE.")
        return value

    def validate_iban(self, value: str) -> str:
        value = re.sub(r"\s+", "", value).upper()
        if value and not stdnum_iban.is_valid(value):
            raise serializers.ValidationError("This is not a valid IBAN (check the digits).")
        return value


class VendorQuerySerializer(serializers.Serializer):
    search = serializers.CharField(required=False, max_length=200, help_text="Name, tax id or IBAN contains.")
