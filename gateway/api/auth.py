"""Sign-in (OAuth2 password flow), the current account, API tokens and account administration."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field

from gateway.api.deps import Admin, CurrentUser, ServicesDep
from gateway.api.errors import ErrorTranslatingRoute
from gateway.auth.errors import NotPermitted
from gateway.auth.tokens import issue_access_token
from gateway.workorders.lifecycle import Role

router = APIRouter(prefix="/api", tags=["auth"], route_class=ErrorTranslatingRoute)


@router.post("/auth/token", summary="Sign in: OAuth2 password flow, returns a bearer access token")
async def token(services: ServicesDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, Any]:
    user = await to_thread.run_sync(services.users.authenticate, form.username, form.password)
    settings = services.settings
    access, expires_in = issue_access_token(
        user.username,
        user.role.value,
        user.department,
        settings.secret_key.get_secret_value(),
        timedelta(minutes=settings.access_token_minutes),
    )
    return {"access_token": access, "token_type": "bearer", "expires_in": expires_in, "user": user.to_dict()}


@router.get("/auth/me", summary="The signed-in account")
async def me(user: CurrentUser) -> dict[str, Any]:
    return user.to_dict()


class NewToken(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f]+$")
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    # Admins create tokens for system accounts (department back offices, linkage gateways).
    username: str | None = None


@router.post("/auth/api-tokens", status_code=201, summary="Create an API token (shown once)")
async def create_token(body: NewToken, user: CurrentUser, services: ServicesDep) -> dict[str, Any]:
    owner = body.username or user.username
    if owner != user.username and user.role is not Role.ADMIN:
        raise NotPermitted("only admins create tokens for other accounts")
    expires = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    plain, record = await to_thread.run_sync(
        lambda: services.users.create_token(owner, body.name, expires_in=expires, actor=user.username)
    )
    return {"token": plain, **record.to_dict()}


@router.get("/auth/api-tokens", summary="API tokens of the signed-in account (all accounts for admins)")
async def list_tokens(user: CurrentUser, services: ServicesDep) -> list[dict[str, Any]]:
    owner = None if user.role is Role.ADMIN else user.username
    return [t.to_dict() for t in await to_thread.run_sync(services.users.tokens, owner)]


@router.delete("/auth/api-tokens/{token_id}", summary="Revoke an API token")
async def revoke_token(token_id: int, user: CurrentUser, services: ServicesDep) -> dict[str, Any]:
    owner = None if user.role is Role.ADMIN else user.username
    record = await to_thread.run_sync(lambda: services.users.revoke_token(token_id, owner=owner, actor=user.username))
    return record.to_dict()


class NewUser(BaseModel):
    username: str
    role: str
    password: str | None = Field(default=None, min_length=1)
    department: str | None = None
    display_name: str = ""


class UserChange(BaseModel):
    role: str | None = None
    department: str | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=1)


@router.get("/users", summary="All accounts (admin)")
async def list_users(_admin: Admin, services: ServicesDep) -> list[dict[str, Any]]:
    return [u.to_dict() for u in await to_thread.run_sync(services.users.all)]


@router.post("/users", status_code=201, summary="Create an account (admin)")
async def create_user(body: NewUser, admin: Admin, services: ServicesDep) -> dict[str, Any]:
    created = await to_thread.run_sync(
        lambda: services.users.create(
            body.username,
            body.role,
            password=body.password,
            department=body.department,
            display_name=body.display_name,
            actor=admin.username,
        )
    )
    return created.to_dict()


@router.patch("/users/{username}", summary="Change role, department, password or disable (admin)")
async def update_user(username: str, body: UserChange, admin: Admin, services: ServicesDep) -> dict[str, Any]:
    updated = await to_thread.run_sync(
        lambda: services.users.update(
            username,
            role=body.role,
            department=body.department,
            active=body.active,
            password=body.password,
            actor=admin.username,
        )
    )
    return updated.to_dict()
