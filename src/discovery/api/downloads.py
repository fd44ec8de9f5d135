"""The ``Content-Disposition`` of every download (RFC 6266, with RFC 5987's ``filename*``).

Header values are Latin-1 on the wire, so a file name is sent twice: ``filename*`` holds
it exactly, UTF-8 and percent-encoded, for every current client; ``filename`` holds an
ASCII stand-in for the few that ignore ``filename*``.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._ ()-]+")


def ascii_fallback(file_name: str, default: str = "download") -> str:
    """``file_name`` in plain ASCII: accents dropped, anything else an underscore."""
    decomposed = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode()
    plain = _NOT_PLAIN.sub("_", decomposed).strip(" ._")
    return plain or default


def attachment(file_name: str) -> dict[str, str]:
    """The header that makes a response a download saved as ``file_name``."""
    encoded = quote(file_name, safe="")  # leaves only RFC 5987 attr-chars unencoded
    value = f"attachment; filename=\"{ascii_fallback(file_name)}\"; filename*=UTF-8''{encoded}"
    return {"Content-Disposition": value}
