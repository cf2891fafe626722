"""Who may call what: the same roles as the review screens (invoices/roles.py), for session and token users.

An anonymous caller gets 401 (with ``WWW-Authenticate: Token``); a signed-in caller whose roles do not allow the
action gets 403 saying which role is missing. Existence is never revealed before the role check.
"""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.permissions import BasePermission

from invoices import roles


def can_view_vendors(user) -> bool:
    return user.is_authenticated and user.has_perm("invoices.view_vendor")


def can_manage_vendors(user) -> bool:
    return user.is_authenticated and user.has_perm(roles.MANAGE_VENDORS)


def _role(check: Callable[[object], bool], message: str) -> type[BasePermission]:
    class RolePermission(BasePermission):
        def has_permission(self, request, view) -> bool:
            return bool(request.user and request.user.is_authenticated and check(request.user))

    RolePermission.message = message
    RolePermission.__name__ = RolePermission.__qualname__ = f"Requires_{check.__name__}"
    return RolePermission


CanView = _role(roles.can_view, "Your account has no role that may see invoices.")
CanUpload = _role(roles.can_upload, "Your account has no role that may upload invoices.")
CanReview = _role(roles.can_review, "Correcting invoices needs the Reviewer role.")
CanApprove = _role(roles.can_approve, "Approving or rejecting invoices needs the Approver role.")
CanReprocess = _role(roles.can_reprocess, "Reprocessing invoices needs the Admin role.")
CanViewVendors = _role(can_view_vendors, "Your account has no role that may see vendors.")
CanManageVendors = _role(can_manage_vendors, "Creating or changing vendors needs the Admin role.")
