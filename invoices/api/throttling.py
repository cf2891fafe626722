"""Per-token (or per-user, for browser sessions) request rates, counted in a cache shared by all web workers.

Rates come from settings (``API_THROTTLE_RATE``, ``API_UPLOAD_THROTTLE_RATE``, ``API_ANON_THROTTLE_RATE``), so
an operator tunes them through the environment. Each API token has its own budget: two integrations of one user
with two tokens do not slow each other down. Over the limit: 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle


def caller_identity(request) -> str | None:
    """The token (hashed: cache keys must not hold secrets) or the user; None for anonymous callers."""
    if isinstance(request.auth, Token):
        return "token:" + hashlib.sha256(request.auth.key.encode()).hexdigest()[:24]
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return None


class _CachedThrottle(SimpleRateThrottle):
    @property
    def cache(self):  # type: ignore[override]
        return caches[settings.API_THROTTLE_CACHE]

    def get_rate(self):
        return settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][self.scope]


class TokenRateThrottle(_CachedThrottle):
    """Every API call of an authenticated caller, per token (or per user for session calls)."""

    scope = "api"

    def get_cache_key(self, request, view):
        ident = caller_identity(request)
        return None if ident is None else self.cache_format % {"scope": self.scope, "ident": ident}


class AnonRateThrottle(_CachedThrottle):
    """Calls that need no sign-in (schema, docs), per client address."""

    scope = "api_anon"

    def get_cache_key(self, request, view):
        if caller_identity(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UploadRateThrottle(TokenRateThrottle):
    """Uploads on top of the general budget: each one stores a file and queues extraction work."""

    scope = "api_upload"
