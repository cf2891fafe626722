"""Required fields: an invoice cannot be paid without its number, date, vendor, currency and total."""

from __future__ import annotations

from invoices.models import TYPED_FIELDS
from invoices.services import REQUIRED_FIELDS

from .base import ERROR, LABELS, Finding, RuleContext, rule


@rule
def required_fields(ctx: RuleContext):
    for name in REQUIRED_FIELDS:
        label = LABELS.get(name, name.replace("_", " "))
        text = (ctx.values.get(name) or "").strip()
        # Dates and amounts must also parse; whether a currency code is real is the currency rule's question.
        typed = getattr(ctx.invoice, name, None) if TYPED_FIELDS.get(name) in ("date", "amount") else text
        if not text:
            yield Finding(f"required.{name}", ERROR, False,
                          f"The {label} was not found on the document; enter it from the invoice.", (name,))
        elif typed in (None, ""):
            yield Finding(f"required.{name}", ERROR, False,
                          f"The {label} “{text[:60]}” could not be read; correct it.", (name,))
        else:
            yield Finding(f"required.{name}", ERROR, True, f"The {label} is present.", (name,))
