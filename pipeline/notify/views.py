from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import PreferencesForm
from .selectors import preference_of, recent_notifications
from .services import notification_preferences_update


@login_required
def preferences(request):
    current = preference_of(request.user)
    form = PreferencesForm(request.POST or None, instance=current, user=request.user)
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(user=request.user, **{name: form.cleaned_data[name] for name in form.fields})
        messages.success(request, "Your notification settings are saved.")
        return redirect("notification-preferences")
    return render(request, "notify/preferences.html", {
        "form": form,
        "email": request.user.email,
        "digest_minutes": settings.NOTIFY_DIGEST_MINUTES,
        "recent": recent_notifications(request.user),
    })
