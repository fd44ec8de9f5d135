"""The browser's session cookie, CSRF tokens and one-shot flash messages.

- The session cookie holds an access token from :mod:`discovery.auth.tokens` (the same
  signed JWT a login through the API returns), HttpOnly and SameSite=Lax, and is checked
  by :func:`discovery.auth.service.authenticate` like a bearer token.
- CSRF: a random nonce lives in its own HttpOnly, SameSite=Strict cookie; every form
  carries ``HMAC(signing key, nonce)``. A POST is accepted only when the token it sends
  (form field or ``X-CSRF-Token`` header) is the HMAC of the nonce in its cookie: another
  site can neither read the cookie nor compute the HMAC without the key.
- An active session is renewed: a token past half its life is replaced by a new one.
- Flash messages survive one redirect in a short-lived signed cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

import jwt
from starlette.requests import Request
from starlette.responses import Response

SESSION_COOKIE = "discovery_session"
CSRF_COOKIE = "discovery_csrf"
FLASH_COOKIE = "discovery_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
FLASH_SECONDS = 120
# Pages load scripts and styles from this site only: even a value that escaped escaping
# could not run as a script. Inline style attributes (bar widths) are allowed.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
FlashKind = Literal["info", "success", "error"]


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(request: Request, response: Response, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def renew_session(request: Request, token: str, max_age: int) -> None:
    """Replace the session cookie on this request's response (see :func:`finish`)."""
    request.state.renewed_session = (token, max_age)


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def csrf_nonce(request: Request) -> str:
    """This browser's CSRF nonce: from its cookie, or a new one (set by :func:`finish`)."""
    nonce = getattr(request.state, "csrf_nonce", None)
    if nonce is None:
        nonce = request.cookies.get(CSRF_COOKIE) or ""
        if len(nonce) < 16:
            nonce = secrets.token_urlsafe(24)
            request.state.new_csrf_nonce = True
        request.state.csrf_nonce = nonce
    return str(nonce)


def rotate_csrf(request: Request) -> None:
    """A new nonce (at sign-in), so a token seen before the sign-in is worth nothing."""
    request.state.csrf_nonce = secrets.token_urlsafe(24)
    request.state.new_csrf_nonce = True


def csrf_token(request: Request, key: str) -> str:
    nonce = csrf_nonce(request)
    return hmac.new(key.encode(), b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, key: str, sent: str | None) -> bool:
    nonce = request.cookies.get(CSRF_COOKIE)
    if not nonce or not sent:
        return False
    expected = hmac.new(key.encode(), b"csrf:" + nonce.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sent)


@dataclass(frozen=True)
class Flash:
    kind: FlashKind
    message: str


def set_flash(response: Response, key: str, kind: FlashKind, message: str) -> None:
    value = jwt.encode({"k": kind, "m": message[:500]}, key, algorithm="HS256")
    response.set_cookie(
        FLASH_COOKIE, value, max_age=FLASH_SECONDS, httponly=True, samesite="lax", path="/"
    )


def take_flash(request: Request, key: str) -> Flash | None:
    value = request.cookies.get(FLASH_COOKIE)
    if not value:
        return None
    request.state.flash_taken = True
    try:
        claims = jwt.decode(value, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    kind = claims.get("k")
    message = claims.get("m")
    if kind not in ("info", "success", "error") or not isinstance(message, str):
        return None
    return Flash(kind, message)


def finish(request: Request, response: Response) -> Response:
    """Set the cookies a page decided on (a new CSRF nonce, a consumed flash message) and
    the pages' security headers."""
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)
    renewed = getattr(request.state, "renewed_session", None)
    if renewed is not None:
        set_session(request, response, *renewed)
    if getattr(request.state, "new_csrf_nonce", False):
        response.set_cookie(
            CSRF_COOKIE,
            request.state.csrf_nonce,
            httponly=True,
            samesite="strict",
            secure=_secure(request),
            path="/",
        )
    if getattr(request.state, "flash_taken", False) and FLASH_COOKIE not in str(
        response.headers.getlist("set-cookie")
    ):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
