"""The two kinds of failure the pipeline tells apart.

A transient error (a service briefly unreachable, throttling) is retried with backoff; a permanent one (the file
cannot be read) goes straight to ``failed`` with its message, which people see.
"""


class TransientError(Exception):
    """Worth retrying: the same call may succeed in a moment."""


class PermanentError(Exception):
    """Retrying will not help; the message is shown to people as the reason."""
