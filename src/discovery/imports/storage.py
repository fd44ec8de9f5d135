"""Keeping an imported file until its import job has read it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from discovery.imports.readers import LimitExceededError
from discovery.imports.readers.errors import format_byte_size

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    path: Path
    size_bytes: int
    sha256: str


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file, without directories or control characters."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '/:*?"<>|')
    return cleaned.strip(" .") or "upload"


def store_file(
    source: Path,
    uploads_dir: Path,
    import_id: uuid.UUID,
    file_name: str,
    max_bytes: int,
    *,
    received_sha256: str | None = None,
) -> StoredFile:
    """Keep ``source`` under ``uploads_dir/<import id>/``.

    A file the service received itself (an upload, already hashed while it streamed in:
    ``received_sha256``) is moved there, which on the same file system writes nothing.
    Any other file (the CLI's, which stays where it is) is copied and hashed in one pass.
    """
    size = source.stat().st_size
    if size > max_bytes:
        raise LimitExceededError(
            f"The file is {format_byte_size(size)}, larger than the limit of "
            f"{format_byte_size(max_bytes)} (DISCOVERY_MAX_UPLOAD_BYTES).",
            limit="max_file_bytes",
            value=size,
            maximum=max_bytes,
        )
    target_dir = uploads_dir / str(import_id)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / safe_file_name(file_name)
    if received_sha256 is not None:
        # A rename fails across file systems (uploads_dir on another mount than the
        # temporary file); the copy below handles that case.
        with contextlib.suppress(OSError):
            os.replace(source, target)
            return StoredFile(target, size, received_sha256)
    digest = hashlib.sha256()
    with source.open("rb") as reader, target.open("wb") as writer:
        while block := reader.read(CHUNK):
            digest.update(block)
            writer.write(block)
    return StoredFile(target, size, digest.hexdigest())


def remove_stored(path: str | None) -> None:
    if path:
        shutil.rmtree(Path(path).parent, ignore_errors=True)
