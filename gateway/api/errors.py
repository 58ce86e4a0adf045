"""Turning package errors (work orders, auth, linkage) into HTTP responses for the routers that use them.

Routers declare `route_class=ErrorTranslatingRoute`; the app's own handlers stay untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from gateway.auth.errors import AuthError
from gateway.linkage import LinkageError
from gateway.workorders.errors import WorkOrderError

STATUS_BY_CODE: dict[str, int] = {
    "work_order_not_found": 404,
    "illegal_transition": 409,
    "already_claimed": 409,
    "missing_field": 422,
    "invalid_value": 422,
    "action_forbidden": 403,
    "channel_unavailable": 409,
    "invalid_credentials": 401,
    "invalid_token": 401,
    "not_permitted": 403,
    "user_exists": 409,
    "user_not_found": 404,
    "invalid_user": 422,
    "unknown_linkage_target": 422,
    "linkage_error": 409,
}

_TRANSLATED = (WorkOrderError, AuthError, LinkageError)


def error_response(error: WorkOrderError | AuthError | LinkageError) -> JSONResponse:
    status = STATUS_BY_CODE.get(error.code, 400)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": {"code": error.code, "detail": error.detail}}, status_code=status, headers=headers)


class ErrorTranslatingRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def translating(request: Request) -> Response:
            try:
                return await handler(request)
            except _TRANSLATED as error:
                return error_response(error)

        return translating
