"""``user_tenant_preferences``: the client account and engagement a user last chose.

One row per user. The choice is checked again on every request (membership can be
withdrawn after it was made); deleting the user, the client account or the engagement
deletes the row.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from discovery.core.models import Base, fq, updated_at_column


class UserTenantPreference(Base):
    __tablename__ = "user_tenant_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("users"), ondelete="CASCADE"), primary_key=True
    )
    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("client_accounts"), ondelete="CASCADE"), index=True
    )
    engagement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(fq("engagements"), ondelete="CASCADE"), index=True
    )
    updated_at: Mapped[datetime] = updated_at_column()
