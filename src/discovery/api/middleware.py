"""Request ids, access log lines and the last-resort 500, as one pure ASGI middleware.

The request id comes from ``X-Request-ID`` when the caller sends a sane one (so ids can
be followed across services), else it is generated. It is returned in the response
header and put in a context variable that :class:`RequestIdFilter` adds to every log
record as ``request_id``.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from discovery.api.errors import error_response

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,128}")

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

logger = logging.getLogger("discovery.api")
access_logger = logging.getLogger("discovery.api.access")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def install_request_id_logging(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())


def request_id_from(scope: Scope) -> str:
    given = Headers(scope=scope).get(REQUEST_ID_HEADER)
    if given and _SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        token = request_id_var.set(request_id)
        status = 500
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        began = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if started:
                raise
            response = error_response(
                500, "internal server error", details={"request_id": request_id}
            )
            await response(scope, receive, send_with_id)
        finally:
            access_logger.info(
                "%s %s -> %d in %.1f ms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - began) * 1000,
            )
            request_id_var.reset(token)
