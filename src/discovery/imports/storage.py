"""Keeping an imported file until its import job has read it.

A file is stored as ``<uploads>/<import id>/upload<.ext>``: a name this service makes,
whatever the file was called (a name over 255 bytes, NUL, slashes, ``..``, control
characters or bytes that are not UTF-8 cannot break it). The name it was uploaded
under is kept, cleaned for display, as the import's ``file_name``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from discovery.imports.readers import LimitExceededError
from discovery.imports.readers.errors import format_byte_size

CHUNK = 1024 * 1024
STORED_STEM = "upload"
#: The longest file name kept for display, in characters (its extension is kept).
MAX_NAME_CHARS = 255
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


@dataclass(frozen=True)
class StoredFile:
    path: Path
    size_bytes: int
    sha256: str


def safe_file_name(name: str) -> str:
    """The name of an uploaded file as shown: its base name without directories, control
    or unpaired surrogate characters, at most ``MAX_NAME_CHARS`` long (the extension kept).
    Never a path: the stored file has a name of its own (:func:`stored_name`)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '/:*?"<>|')
    cleaned = cleaned.strip(" .") or STORED_STEM
    if len(cleaned) > MAX_NAME_CHARS:
        suffix = Path(cleaned).suffix
        suffix = suffix if len(suffix) <= 16 else ""
        cleaned = cleaned[: MAX_NAME_CHARS - len(suffix) - 1] + "…" + suffix
    return cleaned


def stored_name(file_name: str) -> str:
    """The name the file is stored under: ``upload`` and the extension when it is a plain
    one (``.csv``, ``.xlsx``); nothing of the uploaded name that could break a path."""
    suffix = Path(safe_file_name(file_name)).suffix.lower()
    return STORED_STEM + (suffix if _EXTENSION.fullmatch(suffix) else "")


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
    target = target_dir / stored_name(file_name)
    try:
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
    except BaseException:
        shutil.rmtree(target_dir, ignore_errors=True)  # no empty directory left behind
        raise
    return StoredFile(target, size, digest.hexdigest())


def remove_stored(path: str | None) -> None:
    if path:
        shutil.rmtree(Path(path).parent, ignore_errors=True)
