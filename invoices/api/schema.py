"""Touches to the generated OpenAPI schema that serializers cannot express (drf-spectacular postprocessing hook).

The API refuses request members it does not know (a typo must not be silently ignored), so the request bodies
say ``additionalProperties: false``; a correction must name at least one thing to change (``minProperties``).
"""

from __future__ import annotations

# Request components whose serializer refuses unknown members (see serializers._StrictSerializer / Vendor).
CLOSED_REQUESTS = (
    "FieldChangesRequest", "LineItemInputRequest", "PatchedInvoiceCorrectionRequest", "ApproveRequest",
    "RejectRequest", "ReprocessRequest", "NotDuplicateRequest", "VendorRequest", "PatchedVendorRequest",
)
NON_EMPTY_REQUESTS = ("FieldChangesRequest", "PatchedInvoiceCorrectionRequest")


def close_request_bodies(result, generator, request, public):
    schemas = result.get("components", {}).get("schemas", {})
    for name in CLOSED_REQUESTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    for name in NON_EMPTY_REQUESTS:
        if name in schemas:
            schemas[name]["minProperties"] = 1
    return result
