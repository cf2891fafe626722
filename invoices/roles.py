"""Who may do what. Groups carry permissions; screens and the API check permissions, never group names.

- Reviewer: sees invoices, corrects fields and line items.
- Approver: sees invoices, approves and rejects.
- Admin: everything in the invoices app, and the Django admin.
"""

from __future__ import annotations

REVIEWER, APPROVER, ADMIN = "Reviewer", "Approver", "Admin"

VIEW = "invoices.view_invoice"
REVIEW = "invoices.review_invoice"
APPROVE = "invoices.approve_invoice"
UPLOAD = "invoices.add_invoice"
REPROCESS = "invoices.change_invoice"
MANAGE_VENDORS = "invoices.change_vendor"

GROUP_PERMISSIONS: dict[str, list[str]] = {
    REVIEWER: ["view_invoice", "review_invoice", "add_invoice", "view_vendor", "view_auditevent"],
    APPROVER: ["view_invoice", "approve_invoice", "add_invoice", "view_vendor", "view_auditevent"],
    ADMIN: ["*"],
}


def can_view(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW)


def can_review(user) -> bool:
    return user.is_authenticated and user.has_perm(REVIEW)


def can_approve(user) -> bool:
    return user.is_authenticated and user.has_perm(APPROVE)


def can_upload(user) -> bool:
    return user.is_authenticated and user.has_perm(UPLOAD)


def can_reprocess(user) -> bool:
    return user.is_authenticated and user.has_perm(REPROCESS)
