"""Dependencies of the agent, department, supervisor and admin APIs, as `Annotated` aliases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from gateway.auth.errors import InvalidToken, NotPermitted
from gateway.auth.tokens import decode_access_token, is_api_token
from gateway.auth.users import UserRecord
from gateway.workorders.lifecycle import Actor, Role
from gateway.workorders.wiring import Services, build_services

_bearer = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_services(request: Request) -> Services:
    """Built once per app from the runtime the lifespan made."""
    services: Services | None = getattr(request.app.state, "workorder_services", None)
    if services is None:
        services = build_services(request.app.state.runtime)
        request.app.state.workorder_services = services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def current_user(services: ServicesDep, token: Annotated[str | None, Depends(_bearer)]) -> UserRecord:
    """The account behind the bearer token: an OAuth2 access token (JWT) or an API token (`hlt_...`)."""
    if not token:
        raise InvalidToken("a bearer token is required")
    if is_api_token(token):
        return await to_thread.run_sync(services.users.resolve_token, token)
    claims = decode_access_token(token, services.settings.secret_key.get_secret_value())
    return await to_thread.run_sync(services.users.active_user, claims.username)


CurrentUser = Annotated[UserRecord, Depends(current_user)]


def require(*roles: Role) -> Callable[[UserRecord], Awaitable[UserRecord]]:
    """A dependency admitting only the given roles."""
    allowed = frozenset(roles)

    async def check(user: CurrentUser) -> UserRecord:
        if user.role not in allowed:
            raise NotPermitted(f"role {user.role.value} may not use this endpoint")
        return user

    return check


async def current_actor(user: CurrentUser) -> Actor:
    return user.actor


ActorDep = Annotated[Actor, Depends(current_actor)]
Admin = Annotated[UserRecord, Depends(require(Role.ADMIN))]
Centre = Annotated[UserRecord, Depends(require(Role.AGENT, Role.SUPERVISOR, Role.ADMIN))]
Supervisor = Annotated[UserRecord, Depends(require(Role.SUPERVISOR, Role.ADMIN))]
Reporting = Annotated[UserRecord, Depends(require(Role.SUPERVISOR, Role.ADMIN, Role.MAINTAINER))]
