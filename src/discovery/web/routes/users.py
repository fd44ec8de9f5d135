"""Users of the client account: list, change role, disable or enable, reset a password.

For admins of the chosen client account (platform admins pass too). A client admin
acts only on members of their own account, never on themselves (no one locks
themselves out) and never on a platform admin; disabling or resetting a user who is
also a member elsewhere changes them everywhere, so that is left to a platform admin.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from discovery.api.deps import SessionDep
from discovery.auth.service import clear_sign_in_lockout
from discovery.tenancy import service
from discovery.tenancy.models import Role, User
from discovery.web.deps import Page, PageError, WebPage, parse_uuid, render
from discovery.web.deps import redirect as go
from discovery.web.forms import CsrfChecked, read_form

router = APIRouter()


async def _member(session: SessionDep, page: Page, user_id: str) -> User:
    """A member of this client account that this admin may change."""
    page.require(Role.ADMIN)
    user = await session.get(User, parse_uuid(user_id, "user"))
    client_id = page.context.client_account_id
    if user is None or await service.member_role(session, user.id, client_id) is None:
        raise PageError(404, "There is no such user in this client account.")
    if user.id == page.context.user_id:
        raise PageError(403, "You cannot change your own access here; ask another admin.")
    if user.is_platform_admin and not page.context.is_platform_admin:
        raise PageError(403, "Only a platform admin can change a platform admin.")
    return user


async def _account_wide(session: SessionDep, page: Page, user: User) -> None:
    """Disable and password reset act on the user everywhere: a client admin may do it
    only to users who belong to this client account alone."""
    if page.context.is_platform_admin:
        return
    if await service.other_memberships(session, user.id, page.context.client_account_id):
        raise PageError(
            403,
            f"{user.email} is also a member of other client accounts; "
            "ask a platform admin to do this.",
        )


@router.get("/users")
async def users_page(request: Request, page: WebPage, session: SessionDep) -> Response:
    page.require(Role.ADMIN)
    users = await service.list_users(session, client_account_id=page.context.client_account_id)
    return render(
        request,
        "users.html",
        {"users": users, "roles": list(Role), "me": page.context.user_id},
        page=page,
    )


@router.post("/users/{user_id}/role", dependencies=[CsrfChecked])
async def change_role(
    request: Request, user_id: str, page: WebPage, session: SessionDep
) -> Response:
    user = await _member(session, page, user_id)
    chosen = (await read_form(request)).get("role")
    try:
        role = Role(str(chosen))
    except ValueError:
        raise PageError(400, "Choose viewer, analyst or admin.") from None
    await service.set_member_role(session, user.id, page.context.client_account_id, role)
    return go(request, "/users", flash=f"{user.email} is now {role.value}.", kind="success")


async def _set_active(
    request: Request, user_id: str, page: Page, session: SessionDep, active: bool
) -> Response:
    user = await _member(session, page, user_id)
    await _account_wide(session, page, user)
    await service.set_active(session, user, active)
    word = "enabled" if active else "disabled: they can no longer sign in"
    return go(request, "/users", flash=f"{user.email} {word}.", kind="success")


@router.post("/users/{user_id}/disable", dependencies=[CsrfChecked])
async def disable(request: Request, user_id: str, page: WebPage, session: SessionDep) -> Response:
    return await _set_active(request, user_id, page, session, False)


@router.post("/users/{user_id}/enable", dependencies=[CsrfChecked])
async def enable(request: Request, user_id: str, page: WebPage, session: SessionDep) -> Response:
    return await _set_active(request, user_id, page, session, True)


@router.post("/users/{user_id}/reset-password", dependencies=[CsrfChecked])
async def reset_password(
    request: Request, user_id: str, page: WebPage, session: SessionDep
) -> Response:
    """A generated one-time password, shown once on the page this POST answers."""
    user = await _member(session, page, user_id)
    await _account_wide(session, page, user)
    password = service.new_one_time_password()
    await service.set_password(session, user, password)
    await clear_sign_in_lockout(session, user.email)
    users = await service.list_users(session, client_account_id=page.context.client_account_id)
    response = render(
        request,
        "users.html",
        {
            "users": users,
            "roles": list(Role),
            "me": page.context.user_id,
            "one_time": {"email": user.email, "password": password},
        },
        page=page,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
