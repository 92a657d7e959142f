"""The HTTP gate in front of the Gradio app: no file route, uploads for editors only and within limits, sign-ins rate-limited.

An ASGI middleware (`launch` installs it through FastAPI's `middleware=`), so it sees every
request before Gradio does:

- any `file=` route is refused: the app shows no file, and Gradio would otherwise serve its upload
  folder (the articles uploaded by editors) to whoever knows a path;
- `POST /gradio_api/upload` (how files reach the server, before any event runs) is refused with 403
  unless the caller is an editor, with 429 past their upload rate, with 411/413 without a length
  or over the request size limit;
- `POST /login` is refused with 429 while the name or the client address has too many recent
  failures; each failure (Gradio's 400) is counted against both, and logged.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse

from .limits import seconds_text
from .signin import Access

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A sign-in form is a name and a password (at most 1,024 characters): anything much larger is not one.
MAX_SIGNIN_BYTES = 16_384


class Gate:
    """The middleware; `access` says who may upload and how often one may fail to sign in."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse what is not allowed; pass everything else to Gradio unchanged."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "")
        if "/file=" in path or path.startswith(("/file/", "/gradio_api/file/")):
            await _refuse(scope, receive, send, 403, "this server serves no files")
        elif method == "POST" and path.rstrip("/") == "/login" and self.access.signed_in:
            await self._signin(scope, receive, send)
        elif method == "POST" and path.rstrip("/").endswith("/gradio_api/upload"):
            refusal = self._upload_refusal(scope)
            if refusal is None:
                await self.app(scope, receive, send)
            else:
                await _refuse(scope, receive, send, *refusal)
        else:
            await self.app(scope, receive, send)

    def _upload_refusal(self, scope: Scope) -> tuple[int, str] | None:
        refusal = self.access.upload_refusal(_username(scope))
        if refusal is not None:
            return refusal
        length = HTTPConnection(scope).headers.get("content-length")
        if length is None or not length.isdigit():
            return 411, "an upload must declare its length (Content-Length)"
        limit = self.access.limits.max_upload_request_bytes
        if int(length) > limit:
            return (
                413,
                f"this upload is {int(length):,} bytes, over the {limit:,}-byte limit of one upload: send fewer files at a time",
            )
        return None

    async def _signin(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive, MAX_SIGNIN_BYTES)
        if body is None:
            await _refuse(scope, receive, send, 413, "a sign-in request is a name and a password, not more")
            return
        name = await _form_field(scope, body, "username")
        address = _address(scope)
        wait = self.access.signin_wait(name, address)
        if wait:
            print(f"sign-in refused for {name[:64]!r} from {address}: too many failures", flush=True)
            message = f"too many failed sign-ins for this name or from this address: try again in {seconds_text(wait)}"
            await _refuse(scope, receive, send, 429, message, {"Retry-After": str(math.ceil(wait))})
            return
        status: list[int] = []

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, _replay(body, receive), watch)
        if status and status[0] == 400:  # Gradio's "Incorrect credentials"
            self.access.signin_failed(name, address)
            print(f"sign-in failed for {name[:64]!r} from {address}", flush=True)
        elif status and status[0] == 200:
            print(f"signed in: {name[:64]!r} from {address}", flush=True)


def _username(scope: Scope) -> str | None:
    """The signed-in user of a request, from Gradio's own session cookie and token table (None: not signed in)."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if not isinstance(tokens, dict) or cookie_id is None:
        return None
    cookies = HTTPConnection(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return tokens.get(token) if token else None


def _address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives `body` once, then whatever the client sends next (its disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _form_field(scope: Scope, body: bytes, name: str) -> str:
    """One field of a form body (urlencoded or multipart), "" when absent or unreadable."""

    async def once() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(scope, once).form()
        value = form.get(name)
    except Exception:  # a malformed form is Gradio's to refuse; it counts as a nameless attempt here
        return ""
    return value.strip() if isinstance(value, str) else ""


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, message: str, headers: dict[str, str] | None = None
) -> None:
    await JSONResponse({"detail": message}, status_code=status, headers=headers)(scope, receive, send)
