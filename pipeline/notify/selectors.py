"""Reads for notifications: who should hear about what, and what a digest lists. Permissions decide, never group
names (invoices/roles.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import F, Q, QuerySet

from invoices import roles
from invoices.models import Invoice, Status

from ..models import Notification, NotificationPreference

DIGEST_LIST_LIMIT = 50  # invoices listed per digest section; the rest is a count and a link


def users_with_permission(*perms: str) -> QuerySet:
    """Active users with an email address who hold any of ``perms`` (through a group, directly, or superuser)."""
    User = get_user_model()
    held = Q(is_superuser=True)
    for perm in perms:
        app_label, codename = perm.split(".", 1)
        held |= Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
        held |= Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    ids = User.objects.filter(held).values("pk")
    return User.objects.filter(pk__in=ids, is_active=True).exclude(email="").order_by("pk")


def failure_admins() -> QuerySet:
    """Who hears about every failure: the people who may reprocess invoices."""
    return users_with_permission(roles.REPROCESS)


def digest_candidates() -> QuerySet:
    return users_with_permission(roles.REVIEW, roles.APPROVE)


def preferences_of(users) -> dict[int, NotificationPreference]:
    """Each user's preferences; unsaved defaults for those who never changed them."""
    users = list(users)
    saved = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users])}
    return {u.pk: saved.get(u.pk) or NotificationPreference(user=u) for u in users}


def preference_of(user) -> NotificationPreference:
    return preferences_of([user])[user.pk]


def can_receive(user) -> bool:
    return user is not None and user.is_active and bool(user.email)


@dataclass
class DigestSection:
    status: str
    title: str
    invoices: list[Invoice] = field(default_factory=list)
    new_count: int = 0  # newly waiting in the window (may exceed the listed invoices)
    waiting_count: int = 0  # waiting in this status now, old and new


def digest_sections(user, since: datetime, until: datetime) -> list[DigestSection]:
    """What newly waits for this person: routed into a status they act on within (since, until], still there."""
    wanted: list[tuple[str, str]] = []
    if roles.can_review(user):
        wanted.append((Status.NEEDS_REVIEW, "Need review"))
    if roles.can_approve(user):
        wanted.append((Status.READY, "Ready to approve"))
    sections = []
    for status, title in wanted:
        waiting = Invoice.objects.filter(status=status, deleted_at__isnull=True)
        new = waiting.filter(routed_at__gt=since, routed_at__lte=until)
        new_count = new.count()
        if not new_count:
            continue
        sections.append(DigestSection(
            status=status,
            title=title,
            invoices=list(new.select_related("vendor").order_by(F("due_date").asc(nulls_last=True), "routed_at", "pk")[:DIGEST_LIST_LIMIT]),
            new_count=new_count,
            waiting_count=waiting.count(),
        ))
    return sections


def recent_notifications(user, limit: int = 10) -> QuerySet:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]
