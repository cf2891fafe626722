from __future__ import annotations

import re
import unicodedata

from django.db import IntegrityError, transaction

from ..models import AuditEvent, Vendor
from .audit import audit_record

# Legal-form words that do not distinguish one vendor from another.
_LEGAL_FORMS = {
    "inc", "incorporated", "llc", "ltd", "limited", "plc", "corp", "corporation", "co", "company", "gmbh", "ag",
    "kg", "ohg", "ug", "mbh", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "vof", "sl", "sdn", "bhd", "pty",
    "pte", "oy", "ab", "as", "aps", "kft", "sro", "the", "e", "k", "ev",
}
VENDOR_FIELDS = ("name", "tax_id", "iban", "default_currency", "country")


def vendor_key(name: str) -> str:
    """A matching key for a vendor name: case, accents, punctuation and legal forms removed."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", text) if w]
    kept = [w for w in words if w not in _LEGAL_FORMS]
    return " ".join(kept or words)[:255]


def vendor_find(*, name: str = "", tax_id: str = "") -> Vendor | None:
    tax_id = re.sub(r"\s+", "", tax_id or "").upper()
    if tax_id:
        vendor = Vendor.objects.filter(tax_id=tax_id).first()
        if vendor is not None:
            return vendor
    key = vendor_key(name)
    return Vendor.objects.filter(name_key=key).first() if key else None


def vendor_get_or_create(*, name: str, tax_id: str = "", user=None) -> Vendor | None:
    vendor = vendor_find(name=name, tax_id=tax_id)
    if vendor is not None or not vendor_key(name):
        return vendor
    try:
        with transaction.atomic():
            return vendor_create(name=name, tax_id=tax_id, user=user)
    except IntegrityError:  # created by a concurrent worker a moment ago
        return Vendor.objects.get(name_key=vendor_key(name))


def vendor_create(*, name: str, user=None, **values) -> Vendor:
    name = (name or "").strip()
    if not name:
        raise ValueError("A vendor needs a name.")
    clean = _clean(values)
    vendor = Vendor.objects.create(name=name, name_key=vendor_key(name), **clean)
    audit_record(action=AuditEvent.Action.VENDOR_CHANGED, vendor=vendor, user=user, field="name", new=name,
                 detail={"created": True, **clean})
    return vendor


def vendor_update(*, vendor: Vendor, user=None, **values) -> Vendor:
    """Change a vendor's details, one audit row per changed attribute."""
    changes = _clean({k: v for k, v in values.items() if k in VENDOR_FIELDS and k != "name"})
    if "name" in values and (values["name"] or "").strip():
        changes["name"] = values["name"].strip()
    changed = [k for k, v in changes.items() if getattr(vendor, k) != v]
    if not changed:
        return vendor
    with transaction.atomic():
        for key in changed:
            old = getattr(vendor, key)
            setattr(vendor, key, changes[key])
            audit_record(action=AuditEvent.Action.VENDOR_CHANGED, vendor=vendor, user=user, field=key, old=old,
                         new=changes[key])
        update_fields = [*changed, "updated_at"]
        if "name" in changed:
            vendor.name_key = vendor_key(vendor.name)
            update_fields.append("name_key")
        vendor.save(update_fields=update_fields)
    return vendor


def _clean(values: dict) -> dict:
    out = {}
    for key, value in values.items():
        value = (value or "").strip()
        if key in ("tax_id", "iban"):
            value = re.sub(r"\s+", "", value).upper()
        elif key in ("default_currency", "country"):
            value = value.upper()
        out[key] = value
    return out
