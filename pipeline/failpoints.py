"""Named points where the pipeline's own tests inject a fault into a real worker (a "failpoint").

``PIPELINE_FAILPOINTS="extract.engine=sleep:30,pages.render=raise:transient"`` makes the worker pause or fail at
that point, so a test can kill it mid-extraction or see a retry, running exactly the production code otherwise.
Unset (always, outside tests) every failpoint is a no-op costing one dictionary lookup.
"""

from __future__ import annotations

import time
from functools import cache

from django.conf import settings

from .errors import PermanentError, TransientError


@cache
def _parse(spec: str) -> dict[str, str]:
    points = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, action = item.partition("=")
        points[name.strip()] = action.strip()
    return points


def failpoint(name: str) -> None:
    action = _parse(settings.PIPELINE_FAILPOINTS).get(name)
    if not action:
        return
    kind, _, arg = action.partition(":")
    if kind == "sleep":
        time.sleep(float(arg or 1))
    elif kind == "raise" and arg == "permanent":
        raise PermanentError(f"injected permanent failure at {name}")
    elif kind == "raise":
        raise TransientError(f"injected transient failure at {name}")
