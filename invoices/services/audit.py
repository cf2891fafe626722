from __future__ import annotations

from typing import Any

from ..models import AuditEvent, Invoice, Vendor

PIPELINE = "pipeline"


def actor_name(user) -> str:
    if user is None:
        return PIPELINE
    return user.get_username() if hasattr(user, "get_username") else str(user)


def audit_record(
    *,
    action: str,
    invoice: Invoice | None = None,
    vendor: Vendor | None = None,
    user=None,
    actor: str | None = None,
    field: str = "",
    old: Any = "",
    new: Any = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row: who (a user, or the pipeline), what, old → new."""
    return AuditEvent.objects.create(
        invoice=invoice,
        vendor=vendor,
        actor=user if getattr(user, "pk", None) else None,
        actor_name=actor or actor_name(user),
        action=action,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        detail=detail or {},
        invoice_version=invoice.version if invoice is not None else None,
    )
