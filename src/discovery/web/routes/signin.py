"""Sign in, sign out, and the choice of client account and engagement."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import SessionDep, SettingsDep, SigningKeyDep, client_address
from discovery.auth import service as auth
from discovery.auth.router import me
from discovery.auth.throttle import SignInPolicy
from discovery.auth.tokens import issue_access_token
from discovery.tenancy import service as tenancy
from discovery.tenancy.access import AccessDeniedError, resolve_context
from discovery.tenancy.context import Tenant
from discovery.tenancy.service import NotFoundError, TenancyError
from discovery.web import security
from discovery.web.deps import (
    NO_ACCESS,
    LoginRequiredError,
    Page,
    TenantRequiredError,
    WebPrincipal,
    render,
    web_page,
    web_principal,
)
from discovery.web.deps import redirect as go
from discovery.web.forms import CsrfChecked, read_form
from discovery.web.models import UserTenantPreference
from discovery.web.service import save_tenant_choice

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path of this site: never ``//host`` or ``https://…`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login")
async def login_page(
    request: Request, session: SessionDep, key: SigningKeyDep, settings: SettingsDep
) -> Response:
    if security.session_token(request):
        try:
            await web_principal(request, session, key, settings)
        except LoginRequiredError:  # an expired or invalid cookie: sign in again
            pass
        else:
            return go(request, _safe_next(request.query_params.get("next")))
    return render(
        request,
        "login.html",
        {
            "next": _safe_next(request.query_params.get("next")),
            "admin_email": settings.admin_email,
        },
    )


@router.post("/login", dependencies=[CsrfChecked])
async def login(
    request: Request, session: SessionDep, key: SigningKeyDep, settings: SettingsDep
) -> Response:
    form = await read_form(request)
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or "/"))
    error = None
    status_code = 400
    headers: dict[str, str] = {}
    if not email or not password:
        error = "Enter your e-mail address and your password."
    else:
        try:
            user = await auth.sign_in(
                session, email, password, client_address(request), SignInPolicy.of(settings)
            )
        except auth.SignInLockedError as exc:
            minutes, seconds = divmod(exc.retry_after, 60)
            wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
            error = f"Too many failed sign-ins. Wait {wait} and try again."
            status_code = 429
            headers["Retry-After"] = str(exc.retry_after)
        except auth.AuthenticationError:
            error = "Wrong e-mail or password."
    if error is not None:  # answered, not raised: the failure counted is committed
        response = render(
            request,
            "login.html",
            {"next": target, "email": email, "error": error, "admin_email": settings.admin_email},
            status_code=status_code,
        )
        response.headers.update(headers)
        return response
    issued = issue_access_token(user.id, key, settings.token_expiry_minutes)
    security.rotate_csrf(request)
    response = go(request, target)
    security.set_session(request, response, issued.token, issued.expires_in)
    return response


@router.post("/logout", dependencies=[CsrfChecked])
async def logout(request: Request, session: SessionDep, key: SigningKeyDep) -> Response:
    """Ends the session for good: its token is revoked, not only the cookie removed."""
    token = security.session_token(request)
    if token is not None:
        await auth.end_session(session, token, key)
    response = go(request, "/login", flash="You are signed out.")
    security.clear_session(response)
    return response


async def _tenant_page(
    request: Request,
    session: SessionDep,
    principal: WebPrincipal,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    account = await me(principal, session)
    choice = await session.get(UserTenantPreference, principal.user_id)
    current = f"{choice.client_account_id}:{choice.engagement_id}" if choice else None
    page: Page | None = None
    if choice is not None:
        try:
            page = await web_page(session, principal)
        except TenantRequiredError:  # a stale choice: the page offers a new one
            page = None
    return render(
        request,
        "tenant.html",
        {
            "me": account,
            "current": current,
            "error": error,
            "has_engagements": any(m.engagements for m in account.memberships),
        },
        page=page,
        status_code=status_code,
    )


@router.get("/tenant")
async def tenant_page(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    return await _tenant_page(request, session, principal)


@router.post("/tenant", dependencies=[CsrfChecked])
async def choose_tenant(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    form = await read_form(request)
    value = str(form.get("tenant") or "")
    client_text, _, engagement_text = value.partition(":")
    try:
        client_id, engagement_id = uuid.UUID(client_text), uuid.UUID(engagement_text)
    except ValueError:
        return await _tenant_page(
            request,
            session,
            principal,
            error="Choose an engagement from the list.",
            status_code=400,
        )
    try:
        context = await resolve_context(
            session,
            user_id=principal.user_id,
            is_platform_admin=principal.is_platform_admin,
            client_account_id=client_id,
            engagement_id=engagement_id,
        )
    except AccessDeniedError:
        return await _tenant_page(request, session, principal, error=NO_ACCESS, status_code=403)
    except NotFoundError:
        return await _tenant_page(
            request,
            session,
            principal,
            error="That engagement does not exist in this client account.",
            status_code=404,
        )
    await save_tenant_choice(session, principal.user_id, context.tenant)
    return go(request, "/", flash="Engagement chosen. Your choice is kept for your next visit.")


@router.post("/tenant/create", dependencies=[CsrfChecked])
async def create_tenant(request: Request, session: SessionDep, principal: WebPrincipal) -> Response:
    if not principal.is_platform_admin:
        return await _tenant_page(
            request,
            session,
            principal,
            error="Only a platform admin can create client accounts and engagements.",
            status_code=403,
        )
    form = await read_form(request)
    client_name = str(form.get("client_name") or "")
    engagement_name = str(form.get("engagement_name") or "")
    if not client_name.strip() or not engagement_name.strip():
        return await _tenant_page(
            request,
            session,
            principal,
            error="Enter both a client account name and an engagement name.",
            status_code=400,
        )
    try:
        client = await tenancy.create_client_account(session, client_name)
        engagement = await tenancy.create_engagement(session, client_name, engagement_name)
    except TenancyError as exc:
        message = str(exc)
        return await _tenant_page(
            request,
            session,
            principal,
            error=message[:1].upper() + message[1:] + ".",
            status_code=400,
        )
    await save_tenant_choice(session, principal.user_id, Tenant(client.id, engagement.id))
    return go(
        request,
        "/",
        flash="Client account and engagement ready. Next: upload a file.",
        kind="success",
    )
