"""Request bodies bounded before any handler reads them, as one pure ASGI middleware.

For the paths it is given (the API's sign-in: anyone may call it), a ``Content-Length``
over the limit is answered 413 at once, nothing read; a body without one (chunked) is
counted as it streams and refused as soon as it crosses the limit. Both answers have the
API's error shape. (Uploads bound themselves while they stream, and the web forms are
read by :mod:`discovery.web.forms`.)
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from discovery.api.errors import error_response
from discovery.imports.readers.errors import format_byte_size


def _message(limit: int) -> str:
    return f"the request body is larger than the limit of {format_byte_size(limit)}"


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: Mapping[str, int]) -> None:
        self.app = app
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.get(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await error_response(413, _message(limit))(scope, receive, send)
            return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException passes through FastAPI's body reading unchanged
                    # and is answered by the API's error handler.
                    raise HTTPException(413, _message(limit))
            return message

        await self.app(scope, bounded_receive, send)
