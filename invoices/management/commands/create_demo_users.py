"""``python manage.py create_demo_users``: demo accounts for a local run, one per role. Idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from invoices.roles import ADMIN, APPROVER, REVIEWER

DEMO_USERS = (
    # username, password, groups, staff/superuser
    ("admin", "admin", [ADMIN, REVIEWER, APPROVER], True),
    ("reviewer", "reviewer", [REVIEWER], False),
    ("approver", "approver", [REVIEWER, APPROVER], False),
)


class Command(BaseCommand):
    help = "Create demo accounts (admin/admin, reviewer/reviewer, approver/approver) for local runs."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, password, groups, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            if created:
                user.set_password(password)
            user.is_staff = user.is_superuser = staff
            user.save()
            user.groups.set(Group.objects.filter(name__in=groups))
            self.stdout.write(f"{'created' if created else 'kept'} {username} ({', '.join(groups)})")
