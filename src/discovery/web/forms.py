"""Reading the web UI's forms with bounds, before anything parses them; the CSRF check.

Every form of the UI except the upload is small and url-encoded. Its body is read here,
and only here: a ``Content-Length`` over the limit is refused before a byte is read, a
body without one (chunked) is counted as it streams and refused as soon as it crosses
the limit, and the fields are counted while they are parsed. Nothing is ever spooled to
disk. The parsed form is kept on the request, so the CSRF check and the route share one
read. (Uploads are multipart and streamed by :mod:`discovery.imports.upload`, within
``DISCOVERY_MAX_UPLOAD_BYTES``.)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Depends
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from discovery.api.deps import SigningKeyDep
from discovery.imports.readers.errors import format_byte_size
from discovery.web import security
from discovery.web.deps import PageError

URLENCODED = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class FormLimits:
    max_bytes: int
    max_fields: int


# Sign-in, sign-out, the tenant choice, retry and refresh buttons.
SMALL_FORM = FormLimits(max_bytes=64 * 1024, max_fields=16)
# The mapping review: a source, a target and a fallback box per column (at most 5000
# columns, the most DISCOVERY_MAX_IMPORT_COLUMNS allows) and a few more fields.
REVIEW_FORM = FormLimits(max_bytes=3 * 1024 * 1024, max_fields=3 * 5000 + 16)


def _too_large(limits: FormLimits) -> PageError:
    return PageError(
        413,
        f"This form is larger than the limit of {format_byte_size(limits.max_bytes)}; "
        "nothing was saved. Reload the page and try again.",
    )


async def _bounded_body(request: Request, limits: FormLimits) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise PageError(400, "The request has an invalid Content-Length.")
        if int(declared) > limits.max_bytes:
            raise _too_large(limits)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limits.max_bytes:
            raise _too_large(limits)
    return bytes(body)


def _check_type(content_type: str | None, body: bytes | None) -> None:
    """Only url-encoded forms (or no body at all) are read."""
    if content_type is None and not body:
        return
    if (content_type or "").split(";", 1)[0].strip().lower() != URLENCODED:
        raise PageError(415, "Send this form as a web page does (url-encoded).")


def _parse(body: bytes, limits: FormLimits) -> FormData:
    if not body:
        return FormData()
    try:
        pairs: list[tuple[str, str | UploadFile]] = list(
            parse_qsl(
                body.decode("utf-8", "replace"),
                keep_blank_values=True,
                max_num_fields=limits.max_fields,
                encoding="utf-8",
                errors="replace",
            )
        )
    except ValueError:
        raise PageError(
            413, f"This form has more than {limits.max_fields} fields; nothing was saved."
        ) from None
    return FormData(pairs)


async def read_form(request: Request, limits: FormLimits = SMALL_FORM) -> FormData:
    """The request's url-encoded form, read within ``limits`` (once per request)."""
    cached = getattr(request.state, "form", None)
    if isinstance(cached, FormData):
        return cached
    content_type = request.headers.get("content-type")
    if content_type is not None:  # refused before a byte is read
        _check_type(content_type, None)
    body = await _bounded_body(request, limits)
    _check_type(content_type, body)
    form = _parse(body, limits)
    request.state.form = form
    return form


def csrf_check(limits: FormLimits) -> Callable[[Request, str], Awaitable[None]]:
    """A dependency for POST forms: the token in the form (read within ``limits``) or in
    the ``X-CSRF-Token`` header must match this browser's nonce."""

    async def check_csrf(request: Request, key: SigningKeyDep) -> None:
        sent = request.headers.get(security.CSRF_HEADER)
        if sent is None:
            value = (await read_form(request, limits)).get(security.CSRF_FIELD)
            sent = value if isinstance(value, str) else None
        if not security.csrf_valid(request, key, sent):
            raise PageError(
                403,
                "This form has expired or did not come from this site (CSRF check failed). "
                "Reload the page and try again.",
            )

    return check_csrf


CsrfChecked: Any = Depends(csrf_check(SMALL_FORM))
ReviewCsrfChecked: Any = Depends(csrf_check(REVIEW_FORM))
