"""Who else has an invoice open: each review page sends a heartbeat every ~15 s; a viewer counts as present for
``PRESENCE_TTL`` seconds after their last one.

Kept in a Django cache shared by every web process: ``settings.REVIEW_PRESENCE_CACHE`` if set, otherwise the
file/Redis-backed ``api`` cache (the default local-memory cache is per process and would hide other viewers
behind a multi-worker server), otherwise ``default``. One cache entry per invoice maps user id → (name, last
seen, editing). Two heartbeats racing may drop one viewer until their next heartbeat; that is acceptable for a
hint that is refreshed every few seconds and never used for locking (saves are guarded by the version).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

PRESENCE_TTL = 45  # three missed heartbeats
HEARTBEAT_SECONDS = 15


@dataclass(frozen=True, slots=True)
class Viewer:
    user_id: int
    name: str
    seconds_ago: int
    editing: bool


def _cache():
    name = getattr(settings, "REVIEW_PRESENCE_CACHE", None)
    if not name:
        name = "api" if "api" in settings.CACHES else "default"
    return caches[name]


def _key(invoice_id) -> str:
    return f"review:presence:{invoice_id}"


def _live(entries: dict, now: float) -> dict:
    return {uid: e for uid, e in entries.items() if now - e[1] < PRESENCE_TTL}


def presence_heartbeat(*, invoice_id, user, editing: bool = False) -> list[Viewer]:
    """Record that ``user`` has the invoice open; return the other people who have it open now."""
    cache, key, now = _cache(), _key(invoice_id), time.time()
    entries = _live(cache.get(key) or {}, now)
    entries[user.pk] = (user.get_full_name() or user.get_username(), now, bool(editing))
    cache.set(key, entries, PRESENCE_TTL)
    return others(entries, user, now)


def presence_leave(*, invoice_id, user) -> None:
    cache, key = _cache(), _key(invoice_id)
    entries = cache.get(key) or {}
    if entries.pop(user.pk, None) is not None:
        cache.set(key, entries, PRESENCE_TTL)


def presence_viewers(*, invoice_id, user) -> list[Viewer]:
    """The other people who have the invoice open (no heartbeat recorded)."""
    now = time.time()
    return others(_live(_cache().get(_key(invoice_id)) or {}, now), user, now)


def others(entries: dict, user, now: float) -> list[Viewer]:
    return sorted(
        (Viewer(uid, e[0], int(now - e[1]), e[2]) for uid, e in entries.items() if uid != user.pk),
        key=lambda v: v.name.lower(),
    )
