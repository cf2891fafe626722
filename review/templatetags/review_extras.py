from __future__ import annotations

from django import template

from review.links import review_url

register = template.Library()


@register.simple_tag
def review_link(invoice_id, url_template: str = "") -> str:
    """The review screen's URL for an invoice (``url_template`` from the view saves a reverse per row)."""
    return review_url(invoice_id, url_template or None)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None or "" removes them); page resets to 1."""
    params = context["request"].GET.copy()
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def duration(ms) -> str:
    """Milliseconds for people: 850 ms, 12.4 s, 3 min 5 s."""
    if ms is None:
        return "–"
    ms = float(ms)
    if ms < 1000:
        return f"{ms:.0f} ms"
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(int(ms // 1000), 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


NAV_COUNT_KEY, NAV_COUNT_SECONDS = "review:nav-needs-review", 30


@register.simple_tag(takes_context=True)
def nav_needs_review(context) -> int:
    """How many invoices need review, for the nav: one indexed COUNT at most every 30 s per process (cached)."""
    from django.core.cache import cache

    from invoices import roles
    from invoices.selectors import needs_review_count

    request = context.get("request")
    if request is None or not roles.can_view(request.user):
        return 0
    count = cache.get(NAV_COUNT_KEY)
    if count is None:
        count = needs_review_count()
        cache.set(NAV_COUNT_KEY, count, NAV_COUNT_SECONDS)
    return count


@register.filter
def first_reason(reasons) -> str:
    """The first reason an invoice needs review (``review_reasons``, a list), and how many more there are."""
    parts = [str(p).strip() for p in (reasons or []) if str(p).strip()]
    if not parts:
        return ""
    return parts[0] + (f" (+{len(parts) - 1} more)" if len(parts) > 1 else "")
