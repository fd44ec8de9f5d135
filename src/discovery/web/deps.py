"""What every page needs: the signed-in user, the chosen tenant, rendering.

Authentication and tenant access go through the API's own functions
(:func:`~discovery.auth.service.authenticate`,
:func:`~discovery.tenancy.access.resolve_context`); only the transport differs (a
cookie and a stored choice instead of headers).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from starlette.responses import RedirectResponse, Response

from discovery.api.deps import SessionDep, SettingsDep, SigningKeyDep
from discovery.auth.service import AuthenticationError, Principal, authenticate
from discovery.auth.tokens import is_api_token, renewed_access_token
from discovery.tenancy.access import AccessDeniedError, resolve_context
from discovery.tenancy.context import RequestContext
from discovery.tenancy.models import ClientAccount, Engagement, Role
from discovery.tenancy.service import NotFoundError
from discovery.web import security
from discovery.web.labels import counter_label, counter_value, phase_name
from discovery.web.models import UserTenantPreference

HERE = Path(__file__).resolve().parent
# Autoescaping on for every template: values from imported files are always escaped.
templates = Jinja2Templates(
    env=jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True)
)


_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def unbroken_dates(text: str | None) -> Markup:
    """``text``, escaped, with its ISO dates kept on one line (``2020-01-14``, not
    ``2020-`` at the end of one line and ``01-14`` on the next)."""
    escaped = str(escape(text or ""))
    return Markup(_ISO_DATE.sub(r'<span class="nowrap">\g<0></span>', escaped))


def when(value: Any) -> str:
    """A time as the pages show it, always with its zone: ``2026-12-02 10:04 UTC``."""
    if not isinstance(value, datetime):
        return "" if value is None else str(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return f"{value:%Y-%m-%d %H:%M} UTC"


templates.env.filters["when"] = when
templates.env.filters["phase_name"] = phase_name
templates.env.filters["unbroken_dates"] = unbroken_dates
templates.env.globals["counter_label"] = counter_label
templates.env.globals["counter_value"] = counter_value

NO_ACCESS = "You do not have access to this engagement."
GONE = "The engagement you chose no longer exists; choose another."


class LoginRequiredError(Exception):
    """No valid session: the handler sends the browser to the sign-in page."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message


class TenantRequiredError(Exception):
    """No usable tenant choice: the handler sends the browser to the tenant page."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "")
        self.message = message


class PageError(Exception):
    """An error shown as a page with this status and message."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


async def web_principal(
    request: Request, session: SessionDep, key: SigningKeyDep, settings: SettingsDep
) -> Principal:
    """The signed-in user. An active user stays signed in: past half its life, the
    session's token is replaced by a fresh one (set on the response by ``finish``)."""
    token = security.session_token(request)
    if token is None or is_api_token(token):
        raise LoginRequiredError()
    try:
        principal = await authenticate(session, token, key)
    except AuthenticationError as exc:
        raise LoginRequiredError(str(exc).capitalize() + ".") from None
    renewed = renewed_access_token(token, key, settings.token_expiry_minutes)
    if renewed is not None:
        security.renew_session(request, renewed.token, renewed.expires_in)
    return principal


WebPrincipal = Annotated[Principal, Depends(web_principal)]


@dataclass(frozen=True)
class Page:
    """The signed-in user acting in the chosen tenant."""

    principal: Principal
    context: RequestContext
    client_name: str
    engagement_name: str

    def allows(self, role: Role) -> bool:
        return self.context.allows(role)

    def require(self, role: Role) -> None:
        if not self.allows(role):
            raise PageError(
                403, f"This needs the {role.value} role; yours is {self.context.role.value}."
            )


async def web_page(session: SessionDep, principal: WebPrincipal) -> Page:
    choice = await session.get(UserTenantPreference, principal.user_id)
    if choice is None:
        raise TenantRequiredError()
    try:
        context = await resolve_context(
            session,
            user_id=principal.user_id,
            is_platform_admin=principal.is_platform_admin,
            client_account_id=choice.client_account_id,
            engagement_id=choice.engagement_id,
        )
    except AccessDeniedError:
        raise TenantRequiredError(NO_ACCESS) from None
    except NotFoundError:
        raise TenantRequiredError(GONE) from None
    client = await session.get(ClientAccount, context.client_account_id)
    engagement = await session.get(Engagement, context.engagement_id)
    return Page(
        principal,
        context,
        client.name if client else "?",
        engagement.name if engagement else "?",
    )


WebPage = Annotated[Page, Depends(web_page)]


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    page: Page | None = None,
    status_code: int = 200,
) -> Response:
    key: str = request.app.state.signing_key
    values: dict[str, Any] = {
        "page": page,
        "csrf_token": security.csrf_token(request, key),
        "flash": security.take_flash(request, key),
        "nav": request.url.path,
    }
    values.update(context or {})
    response = templates.TemplateResponse(request, template, values, status_code=status_code)
    return security.finish(request, response)


def redirect(
    request: Request,
    url: str,
    *,
    flash: str | None = None,
    kind: security.FlashKind = "info",
) -> Response:
    response = RedirectResponse(url, status_code=303)
    if flash:
        security.set_flash(response, request.app.state.signing_key, kind, flash)
    return security.finish(request, response)


def login_url(request: Request) -> str:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return "/login?next=" + quote(target, safe="/")


def parse_uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PageError(404, f"There is no {what} {value!r}.") from None
