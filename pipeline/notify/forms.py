from __future__ import annotations

from django import forms

from invoices import roles

from ..models import NotificationPreference

# Which choices make sense for whom (a choice that can never apply is not shown).
APPLIES = {
    "review_digest": lambda user: roles.can_review(user) or roles.can_approve(user),
    "my_uploads_failed": roles.can_upload,
    "any_failed": roles.can_reprocess,
    "my_uploads_approved": roles.can_upload,
    "my_uploads_rejected": roles.can_upload,
}


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = list(APPLIES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name, applies in APPLIES.items():
            if not applies(user):
                del self.fields[name]
