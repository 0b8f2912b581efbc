"""Rate limiting of guessable secrets (passwords, join codes), shared by every app server.

django-ratelimit counts in the "ratelimit" cache: Redis when REDIS_URL is set (atomic), else the
database cache of the embedded default. The database cache increments without a lock, so a burst
of parallel guesses can slip a few extra tries through; against a 6-character join code
(887 million combinations) or a password that changes nothing that matters."""

from django.http import HttpRequest
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited


def too_many_attempts(request: HttpRequest, *, group: str, key: str, rate: str) -> bool:
    """Count this attempt and tell whether the caller is over `rate` (e.g. "10/10m")."""
    return is_ratelimited(request, group=group, key=key, rate=rate, method="POST", increment=True)


def failures_exceeded(request: HttpRequest, *, group: str, rate: str, key: str = "ip") -> bool:
    """Whether this caller already failed more than `rate` allows; does not count anything."""
    return is_ratelimited(request, group=group, key=key, rate=rate, method=ALL, increment=False)


def failure_record(request: HttpRequest, *, group: str, rate: str, key: str = "ip") -> None:
    """Count one failure only: a room of tablets behind one address never blocks itself by
    joining correctly."""
    is_ratelimited(request, group=group, key=key, rate=rate, method=ALL, increment=True)
