"""The checks service behind the UI and the API: rate limit, reuse, then queue.

Order matters: a request identical to a recent one gets the recent job back
without using the client's allowance (reloading a result page is free); only a
new check uses a token of the client's bucket, then a place in the queue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dnssec_doctor.addresses import ServerAddress
from dnssec_doctor.web.checkrun import CheckRunner
from dnssec_doctor.web.inputs import InputError, check_input
from dnssec_doctor.web.jobs import CheckInput, Job, JobStore, StoreLimits
from dnssec_doctor.web.pacing import ClientLimiter, DestinationPacer
from dnssec_doctor.web.prober import ProbeConfig

if TYPE_CHECKING:
    from dnssec_doctor.web.history import WebHistory

DNS_PORT = 53


def _port_53_only(check: CheckInput) -> None:
    """InputError for a server given with another port than 53. No delegation names a
    port, so only a user can, and a public server must not be made to send to any port
    of any host (TCP included, after a truncated answer)."""
    for address in (*check.ns, *check.resolvers):
        if ServerAddress.parse(address).port != DNS_PORT:
            raise InputError(f"{address}: only port 53 is queried by this server")


class RateLimitedError(RuntimeError):
    """The client started too many checks lately (HTTP 429)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many checks from your address; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class WebLimits:
    """The web UI's and API's bounds (``serve`` options)."""

    store: StoreLimits = field(default_factory=StoreLimits)
    client_per_minute: float = 10.0
    client_burst: int = 10
    destination_per_second: float = 20.0
    destination_burst: int = 40


class CheckService:
    """Accepts check requests within ``limits`` and runs them with ``config``."""

    def __init__(
        self, config: ProbeConfig, limits: WebLimits, history: WebHistory | None = None
    ) -> None:
        self.limits = limits
        self.history = history
        """The history store (``serve --db``), else None."""
        self.any_port = config.allow_private_targets
        self.clients = ClientLimiter(limits.client_per_minute, limits.client_burst)
        self.pacer = DestinationPacer(limits.destination_per_second, limits.destination_burst)
        """Shared with ``/probe``: every query of the server passes through it."""
        self.store = JobStore(limits.store, CheckRunner(config, self.pacer, history))

    def submit(
        self,
        client: str,
        name: str,
        ns: Sequence[str] = (),
        ds: str = "",
        resolvers: Sequence[str] = (),
    ) -> tuple[Job, bool]:
        """The job for this request and whether it was reused; InputError,
        RateLimitedError or QueueFullError when there is none."""
        check = check_input(name, ns, ds, resolvers)
        if not self.any_port:
            _port_53_only(check)
        reused = self.store.reusable(check)
        if reused is not None:
            return reused, True
        wait = self.clients.admit(client)
        if wait > 0:
            raise RateLimitedError(max(1, math.ceil(wait)))
        return self.store.submit(check), False
