"""Links from the queue, home and upload screens to the review screen of one invoice.

The review screen (``invoice-review``) belongs to its own module; until it is routed, links go to the invoice's
admin page so the lists still lead somewhere. Reversed once per request, not once per row.
"""

from __future__ import annotations

import uuid

from django.urls import NoReverseMatch, reverse

_PLACEHOLDER = uuid.UUID(int=0)


def review_url_template() -> str:
    """A URL with ``{id}`` where the invoice id goes."""
    for name, kwargs in (("invoice-review", {"invoice_id": _PLACEHOLDER}),
                         ("admin:invoices_invoice_change", {"object_id": _PLACEHOLDER})):
        try:
            return reverse(name, kwargs=kwargs).replace(str(_PLACEHOLDER), "{id}")
        except NoReverseMatch:
            continue
    return "#{id}"


def review_url(invoice_id, template: str | None = None) -> str:
    return (template or review_url_template()).replace("{id}", str(invoice_id))
