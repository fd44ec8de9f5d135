"""What the client account has learned: listing, forgetting, and where each came from.

A learned mapping is offered again for the same header in every engagement of the client
account. So that nothing acts unseen, each one carries its provenance (the engagement and
import it was approved in, who approved it and when) and can be forgotten. Functions
flush; the caller owns the transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from discovery.core.revisions import SCHEMA
from discovery.mapping.models import LearnedFieldMapping
from discovery.mapping.normalize import learned_key, learned_keys
from discovery.tenancy.models import User


@dataclass(frozen=True)
class Learned:
    """One learned mapping with its provenance (None where the import or user is gone)."""

    id: uuid.UUID
    source_field: str
    #: None: the column was left unmapped
    target_field: str | None
    engagement_id: uuid.UUID | None
    engagement_name: str | None
    file_name: str | None
    learned_by: str | None
    learned_at: datetime

    @property
    def where(self) -> str:
        """``engagement 'Wave 1' (servers.csv), by ana@example.com, 2026-12-02 10:04 UTC``."""
        place = (
            f"engagement '{self.engagement_name}'"
            if self.engagement_name
            else "an import since deleted"
        )
        if self.file_name:
            place += f" ({self.file_name})"
        who = f", by {self.learned_by}" if self.learned_by else ""
        return f"{place}{who}, {self.learned_at:%Y-%m-%d %H:%M} UTC"


# Where each learned mapping came from: an import of any engagement of the client account,
# which row-level security hides from the other engagements; the owner's function gives
# the client account's own (migration 0028).
_IMPORT_ORIGINS = text(
    f"SELECT o.id, o.engagement_id, e.name AS engagement_name, o.file_name"  # noqa: S608 (the schema constant)
    f" FROM {SCHEMA}.client_import_origins(:client, CAST(:imports AS uuid[])) AS o"
    f" LEFT JOIN {SCHEMA}.engagements AS e ON e.id = o.engagement_id"
)


async def list_learned(session: AsyncSession, client_account_id: uuid.UUID) -> list[Learned]:
    """The client account's learned mappings, by header."""
    rows = (
        await session.execute(
            select(LearnedFieldMapping, User.email)
            .outerjoin(User, User.id == LearnedFieldMapping.created_by)
            .where(LearnedFieldMapping.client_account_id == client_account_id)
            .order_by(LearnedFieldMapping.header_key)
        )
    ).all()
    imports = sorted({row.learned_from_import_id for row, _ in rows if row.learned_from_import_id})
    origins: dict[uuid.UUID, Row[Any]] = {}
    if imports:
        found = await session.execute(
            _IMPORT_ORIGINS, {"client": client_account_id, "imports": imports}
        )
        origins = {origin.id: origin for origin in found}
    learned = []
    for row, email in rows:
        origin = origins.get(row.learned_from_import_id) if row.learned_from_import_id else None
        learned.append(
            Learned(
                id=row.id,
                source_field=row.source_field,
                target_field=row.target_field,
                engagement_id=origin.engagement_id if origin else None,
                engagement_name=origin.engagement_name if origin else None,
                file_name=origin.file_name if origin else None,
                learned_by=email,
                learned_at=row.updated_at,
            )
        )
    return learned


def by_header(learned: Iterable[Learned], headers: Iterable[str]) -> dict[str, Learned]:
    """The learned mapping each header would get (matched as the engine matches them)."""
    keyed: dict[str, Learned] = {}
    for item in sorted(learned, key=lambda item: item.source_field):
        keyed.setdefault(learned_key(item.source_field), item)
    found: dict[str, Learned] = {}
    for header in headers:
        match = next((keyed[k] for k in learned_keys(header) if k in keyed), None)
        if match is not None:
            found[header] = match
    return found


async def forget(
    session: AsyncSession, client_account_id: uuid.UUID, learned_id: uuid.UUID
) -> bool:
    """Forget one learned mapping of the client account; False when there is no such one."""
    result = await session.execute(
        delete(LearnedFieldMapping)
        .where(
            LearnedFieldMapping.id == learned_id,
            LearnedFieldMapping.client_account_id == client_account_id,
        )
        .returning(LearnedFieldMapping.id)
    )
    return result.scalar_one_or_none() is not None
