"""The wiring-health TTL cache: maintained (``cachetools.TTLCache``), typed keys, single flight.

Keys are :class:`HealthKey` values (client account, engagement, detail flag): two
tenants can never share an entry, whatever their ids look like as text. Every read and
write of the cache happens under one ``asyncio.Lock``; computing happens outside it, in
one task per key, so concurrent misses for the same key wait for that one computation
(and a caller that goes away does not cancel it for the others).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache

MAX_ENTRIES = 4096

Timer = Callable[[], float]


@dataclass(frozen=True)
class HealthKey:
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    detail: bool


@dataclass(frozen=True)
class CachedReport:
    report: dict[str, Any]
    cached: bool
    age_seconds: float


class HealthCache:
    def __init__(
        self, ttl_seconds: float, *, timer: Timer = time.monotonic, maxsize: int = MAX_ENTRIES
    ) -> None:
        self._timer = timer
        # Values carry the time they were computed, to report their age.
        self._entries: TTLCache[HealthKey, tuple[float, dict[str, Any]]] = TTLCache(
            maxsize=maxsize, ttl=ttl_seconds, timer=timer
        )
        self._lock = asyncio.Lock()
        self._computing: dict[HealthKey, asyncio.Task[dict[str, Any]]] = {}
        self.computations = 0  # how many reports were computed (for tests and logs)

    async def get(
        self,
        key: HealthKey,
        compute: Callable[[], Awaitable[dict[str, Any]]],
        *,
        refresh: bool = False,
    ) -> CachedReport:
        async with self._lock:
            entry = None if refresh else self._entries.get(key)
            if entry is not None:
                computed_at, report = entry
                return CachedReport(report, True, max(0.0, self._timer() - computed_at))
            task = None if refresh else self._computing.get(key)
            if task is None:
                task = asyncio.ensure_future(self._compute(key, compute))
                if not refresh:
                    self._computing[key] = task
        report = await asyncio.shield(task)
        return CachedReport(report, False, 0.0)

    async def _compute(
        self, key: HealthKey, compute: Callable[[], Awaitable[dict[str, Any]]]
    ) -> dict[str, Any]:
        try:
            self.computations += 1
            report = await compute()
            async with self._lock:
                self._entries[key] = (self._timer(), report)
            return report
        finally:
            async with self._lock:
                if self._computing.get(key) is asyncio.current_task():
                    del self._computing[key]

    def clear(self) -> None:
        self._entries.clear()
