"""Input types shared by the routers."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# PostgreSQL text cannot hold NUL characters: refuse them with a 422, not a 500.
Text = Annotated[str, AfterValidator(_no_nul)]
