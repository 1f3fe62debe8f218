"""The one error a channel raises when a message did not get through."""

from __future__ import annotations

import httpx

TIMEOUT = 10.0  # seconds for one request to a receiving system
RETRYABLE_STATUS = frozenset({408, 425, 429})


class SendFailed(Exception):
    """`code` says what went wrong (notify.failure.<code>, with `status`); `reason` is the
    English detail for the log and the outbox row."""

    def __init__(
        self, code: str, reason: str, *, permanent: bool = False, status: int | None = None
    ) -> None:
        super().__init__(reason)
        self.code, self.reason, self.permanent, self.status = code, reason, permanent, status


def http_failure(exc: httpx.HTTPError) -> SendFailed:
    """No answer: the receiver or the network is away for now (the URL is never quoted)."""
    return SendFailed("http_error", f"http: {type(exc).__name__}")


def status_failure(status: int) -> SendFailed:
    """A non-2xx answer: a 4xx is the request's fault and not retried (but for 408/425/429)."""
    permanent = 400 <= status < 500 and status not in RETRYABLE_STATUS
    return SendFailed("http_status", f"http {status}", permanent=permanent, status=status)
