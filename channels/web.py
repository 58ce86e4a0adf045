"""Web chat widget channel: REST `POST /channels/web/messages` and WebSocket `/channels/web/ws`.

Protocol (stable): a client message is `{"session_id", "message_id", "text"}`; `message_id` is the client's
idempotency key, so a resend gets the original reply and creates nothing new.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from channels.base import Broadcast, ChannelServices, Intake, Message, Outcome, Recipient
from channels.errors import InvalidPayload, MalformedBody, PayloadTooLarge
from channels.jsonbody import load_json

log = logging.getLogger(__name__)

CHANNEL = "web"
_ID = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")]


class WebSettings(BaseModel):
    max_text_chars: int = 20_000
    max_body_bytes: int = 256 * 1024
    # The chat page waits this long for the reply; later replies arrive over the WebSocket.
    reply_budget_seconds: float = 8.0


class WebMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    session_id: _ID
    message_id: _ID
    text: str = Field(min_length=1)


def parse(body: bytes, settings: WebSettings) -> Message:
    """Verify size and encoding, validate fields, and build the normalised Message."""
    if len(body) > settings.max_body_bytes:
        raise PayloadTooLarge(f"body is {len(body)} bytes; the limit is {settings.max_body_bytes}")
    payload = load_json(body)
    return message_from_payload(payload, settings, raw=body.decode("utf-8"))


def message_from_payload(payload: Any, settings: WebSettings, raw: str) -> Message:
    if not isinstance(payload, dict):
        raise InvalidPayload("body must be a JSON object with session_id, message_id and text")
    try:
        incoming = WebMessageIn.model_validate(payload)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise InvalidPayload(problems) from error
    text = incoming.text.strip()
    if not text:
        raise InvalidPayload("text: must not be empty")
    if len(text) > settings.max_text_chars:
        raise PayloadTooLarge(f"text has {len(text)} characters; the limit is {settings.max_text_chars}")
    return Message(
        channel=CHANNEL,
        external_id=f"{incoming.session_id}:{incoming.message_id}",
        session_key=incoming.session_id,
        sender=incoming.session_id,
        text=text,
        raw=raw,
    )


def render(outcome: Outcome, client_message_id: str) -> dict[str, Any]:
    return {
        "message_id": client_message_id,
        "replies": [reply.to_dict() for reply in outcome.replies],
        "emergency": outcome.emergency,
        "work_order": outcome.work_order,
        "pending": outcome.pending,
    }


class WebHub:
    """Open sockets of this process by session; replies finished later reach whichever process holds them."""

    _TOPIC = "web_replies"

    def __init__(self, broadcast: Broadcast) -> None:
        self._broadcast = broadcast
        self._sockets: dict[str, set[WebSocket]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None

    def attach(self, session_id: str, socket: WebSocket) -> None:
        self._sockets[session_id].add(socket)

    def detach(self, session_id: str, socket: WebSocket) -> None:
        self._sockets[session_id].discard(socket)
        if not self._sockets[session_id]:
            del self._sockets[session_id]

    async def push(self, session_id: str, outcome: Outcome, client_message_id: str) -> None:
        frame = {"type": "reply", "session_id": session_id, **render(outcome, client_message_id)}
        await self._broadcast.publish(self._TOPIC, json.dumps(frame, ensure_ascii=False))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._relay(), name="web-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _relay(self) -> None:
        while True:
            try:
                async for data in self._broadcast.subscribe(self._TOPIC):
                    frame = json.loads(data)
                    for socket in list(self._sockets.get(frame.get("session_id", ""), ())):
                        with contextlib.suppress(Exception):
                            await socket.send_json(frame)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("web reply relay lost its subscription; reconnecting", exc_info=True)
                await asyncio.sleep(1)


def web_message_id(external_id: str) -> str:
    """The client's message id inside our external id `session:message`."""
    return external_id.split(":", 1)[1]


def client_message_id(message: Message) -> str:
    return web_message_id(message.external_id)


async def setup(app: FastAPI, services: ChannelServices) -> None:
    """Start the hub that pushes late replies to open sockets, and register it as the web sender."""
    hub = WebHub(services.broadcast)
    await hub.start()

    async def deliver(recipient: Recipient, outcome: Outcome) -> None:
        await hub.push(recipient.sender, outcome, web_message_id(recipient.external_id))

    services.register_sender(CHANNEL, deliver)
    services.on_shutdown(hub.stop)
    app.state.web_hub = hub


router = APIRouter(prefix="/channels/web", tags=["channel: web"])


def _intake(request: Request | WebSocket) -> Intake:
    intake: Intake = request.app.state.intake
    return intake


def _settings(request: Request | WebSocket) -> WebSettings:
    settings: WebSettings = request.app.state.web_settings
    return settings


@router.post("/messages", summary="Send a citizen message and receive the reply")
async def post_message(request: Request) -> dict[str, Any]:
    settings = _settings(request)
    message = parse(await request.body(), settings)
    outcome = await _intake(request).submit(message, settings.reply_budget_seconds)
    return render(outcome, client_message_id(message))


@router.get("/sessions/{session_id}/history", summary="The conversation of a session, for resuming after reload")
async def session_history(session_id: _ID, request: Request) -> dict[str, Any]:
    return {"session_id": session_id, "messages": await _intake(request).history(CHANNEL, session_id)}


@router.websocket("/ws")
async def websocket_chat(socket: WebSocket) -> None:
    """Frames in: {"type": "message", session_id, message_id, text}; out: history, ack, reply, error."""
    await socket.accept()
    settings = _settings(socket)
    hub: WebHub = socket.app.state.web_hub
    session_id = socket.query_params.get("session_id", "")
    if session_id:
        hub.attach(session_id, socket)
        history = await _intake(socket).history(CHANNEL, session_id)
        await socket.send_json({"type": "history", "session_id": session_id, "messages": history})
    try:
        while True:
            raw = await socket.receive_text()
            await _handle_frame(socket, raw, settings, hub)
    except WebSocketDisconnect:
        pass
    finally:
        if session_id:
            hub.detach(session_id, socket)


async def _handle_frame(socket: WebSocket, raw: str, settings: WebSettings, hub: WebHub) -> None:
    if len(raw) > settings.max_body_bytes:
        await socket.send_json({"type": "error", "code": "payload_too_large", "detail": "frame too large"})
        return
    try:
        payload = load_json(raw.encode("utf-8", "surrogatepass"), "frame")
    except MalformedBody as error:
        await socket.send_json({"type": "error", "code": error.code, "detail": error.detail})
        return
    if isinstance(payload, dict) and payload.get("type") == "ping":
        await socket.send_json({"type": "pong"})
        return
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k != "type"}
    try:
        message = message_from_payload(payload, settings, raw=raw)
    except (InvalidPayload, PayloadTooLarge) as error:
        await socket.send_json({"type": "error", "code": error.code, "detail": error.detail})
        return
    hub.attach(message.session_key, socket)
    await socket.send_json({"type": "ack", "message_id": client_message_id(message)})
    outcome = await _intake(socket).submit(message, settings.reply_budget_seconds)
    await socket.send_json(
        {"type": "reply", "session_id": message.session_key, **render(outcome, client_message_id(message))}
    )
