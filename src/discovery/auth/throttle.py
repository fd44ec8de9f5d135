"""Sign-in throttling: the one owner of ``sign_in_failures``.

Failed sign-ins are counted per account (the e-mail address as typed, known or not, so
an unknown address is throttled exactly like a known one) and per client address. Once
a counter reaches its threshold, each further failure locks it out for
``DISCOVERY_SIGN_IN_LOCKOUT_SECONDS``, doubled per failure beyond the threshold, up to
``DISCOVERY_SIGN_IN_MAX_LOCKOUT_SECONDS``. A counter with no failure for twice that
longest lockout is forgotten (and purged). Times are PostgreSQL's, so every process
serving the API counts alike. Functions flush; the caller commits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Interval, case, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.auth.models import SignInFailures, ThrottleScope
from discovery.core.settings import Settings

MAX_SUBJECT_LENGTH = 320


@dataclass(frozen=True)
class SignInPolicy:
    account_failures: int
    address_failures: int
    lockout_seconds: int
    max_lockout_seconds: int

    @classmethod
    def of(cls, settings: Settings) -> SignInPolicy:
        return cls(
            account_failures=settings.sign_in_failures_per_account,
            address_failures=settings.sign_in_failures_per_address,
            lockout_seconds=settings.sign_in_lockout_seconds,
            max_lockout_seconds=settings.sign_in_max_lockout_seconds,
        )

    @property
    def forget_after(self) -> timedelta:
        return timedelta(seconds=2 * self.max_lockout_seconds)

    def threshold(self, scope: ThrottleScope) -> int:
        return self.account_failures if scope is ThrottleScope.ACCOUNT else self.address_failures

    def lockout(self, scope: ThrottleScope, failures: int) -> int | None:
        """Seconds of lockout after ``failures`` failures (None: not yet locked)."""
        beyond = failures - self.threshold(scope)
        if beyond < 0:
            return None
        doubled: int = self.lockout_seconds * 2 ** min(beyond, 32)
        return min(self.max_lockout_seconds, doubled)


@dataclass(frozen=True)
class Key:
    scope: ThrottleScope
    subject: str

    @classmethod
    def of(cls, scope: ThrottleScope, subject: str) -> Key:
        return cls(scope, subject[:MAX_SUBJECT_LENGTH])


async def locked_for(session: AsyncSession, keys: list[Key]) -> int | None:
    """Seconds until the last lockout among ``keys`` ends; None when none is locked."""
    remaining: timedelta | None = await session.scalar(
        select((func.max(SignInFailures.locked_until) - func.now()).cast(Interval)).where(
            tuple_(SignInFailures.scope, SignInFailures.subject).in_(
                [(key.scope.value, key.subject) for key in keys]
            ),
            SignInFailures.locked_until > func.now(),
        )
    )
    if remaining is None:
        return None
    return max(1, math.ceil(remaining.total_seconds()))


async def record_failure(session: AsyncSession, key: Key, policy: SignInPolicy) -> int:
    """Count one failure (atomically, whatever runs beside it); the count now."""
    table = SignInFailures.__table__
    stale = table.c.last_failed_at < func.now() - policy.forget_after
    upsert = insert(SignInFailures).values(
        scope=key.scope.value, subject=key.subject, failures=1, last_failed_at=func.now()
    )
    statement = upsert.on_conflict_do_update(
        index_elements=[SignInFailures.scope, SignInFailures.subject],
        set_={
            "failures": case((stale, 1), else_=table.c.failures + 1),
            "last_failed_at": func.now(),
        },
    ).returning(SignInFailures.failures)
    failures = int((await session.execute(statement)).scalar_one())
    seconds = policy.lockout(key.scope, failures)
    await session.execute(
        update(SignInFailures)
        .where(SignInFailures.scope == key.scope.value, SignInFailures.subject == key.subject)
        .values(locked_until=None if seconds is None else func.now() + timedelta(seconds=seconds))
    )
    return failures


async def forget(session: AsyncSession, key: Key) -> None:
    """A successful sign-in: the account starts again from no failures."""
    await session.execute(
        delete(SignInFailures).where(
            SignInFailures.scope == key.scope.value, SignInFailures.subject == key.subject
        )
    )


async def purge_forgotten(session: AsyncSession, policy: SignInPolicy) -> None:
    """Remove counters no failure has touched for :attr:`SignInPolicy.forget_after`."""
    await session.execute(
        delete(SignInFailures).where(
            SignInFailures.last_failed_at < func.now() - policy.forget_after
        )
    )
