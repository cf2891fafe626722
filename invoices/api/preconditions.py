"""Optimistic locking over HTTP: the invoice's version is its ETag; writes must name it in ``If-Match``.

``ETag: "7"`` on every invoice representation. PATCH, approve and reject require ``If-Match: "7"``: missing →
428, naming another version → 412 (from the service, under the row lock, so a race cannot slip through).
"""

from __future__ import annotations

import re

from invoices.models import Invoice

from .problems import PreconditionRequired

_TAG = re.compile(r'^(?:W/)?"?([0-9]{1,12})"?$')


def etag_for(invoice: Invoice) -> str:
    return f'"{invoice.version}"'


def expected_version(request, current_version: int) -> int:
    """The version the client's If-Match names (the current one if any of its tags matches); -1 if none parse."""
    header = (request.headers.get("If-Match") or "").strip()
    if not header:
        raise PreconditionRequired(
            'Send the invoice\'s current ETag in an If-Match header (for example If-Match: "3"), '
            "so that you cannot overwrite someone else's change. GET the invoice to read it.",
            current_version=current_version,
        )
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags:
        raise PreconditionRequired(
            "If-Match: * would skip the version check; send the invoice's ETag instead.",
            current_version=current_version,
        )
    versions = [int(m.group(1)) for m in (_TAG.match(tag) for tag in tags) if m]
    if current_version in versions:
        return current_version
    return versions[0] if versions else -1
