"""Who is asking: a served chat's sign-in mode, each request's caller and role, and the limits that apply to them.

Three modes. LOCAL: on a loopback address with no users file, the one local user is an editor and
nothing is limited. SIGNED_IN: every request comes from a user of the users file (`rag users`),
reader or editor, looked up again on each request, so a user removed or demoted while the
server runs loses access at once. OPEN (`--insecure-no-auth`): anyone who reaches the server,
as a reader keyed by address, and no one may change the articles.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from rag.access import EDITOR, READER, Users, UsersFileError, key_path, load_users, verify_password

from .limits import Limits, RateLimiter, seconds_text

LOCAL, SIGNED_IN, OPEN = "local", "signed-in", "open"
SIGN_IN_HOWTO = (
    "add a user with `rag users add NAME --role editor --file data/users.json` and start with "
    "`--users data/users.json`, or pass --insecure-no-auth to serve everyone without a password"
)
OPEN_BANNER = (
    "⚠ **No sign-in** (`--insecure-no-auth`): anyone who can reach this address can use this chat. "
    "Adding or removing articles is turned off."
)


class AccessDenied(PermissionError):
    """A request its caller may not make; the message says why and what to do."""


class RateLimited(AccessDenied):
    """A caller acted too often; the message says how long to wait."""


@dataclass(frozen=True)
class Caller:
    """Who made a request: a user name ("local" or "anonymous" without sign-in), a role, the client address."""

    name: str
    role: str
    address: str | None = None

    @property
    def is_editor(self) -> bool:
        """Editors may add, replace and remove articles."""
        return self.role == EDITOR


def is_loopback(host: str) -> bool:
    """True for an address only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


class Access:
    """The sign-in mode, the users, and the rate limiters of one served app."""

    def __init__(
        self,
        mode: str = LOCAL,
        users_file: str | os.PathLike[str] | None = None,
        limits: Limits | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if mode not in (LOCAL, SIGNED_IN, OPEN) or (mode == SIGNED_IN) != (users_file is not None):
            raise ValueError(f"bad access mode {mode!r}: a users file goes with {SIGNED_IN!r} and only with it")
        self.mode = mode
        self.users_file = Path(users_file) if users_file is not None else None
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._users: Users | None = None
        self._signature: tuple[int, ...] | None = None
        self._error: str | None = None
        if self.users_file is not None:
            users = self.users()  # UsersFileError here: the server does not start
            if not len(users):
                raise UsersFileError(
                    f"no users in {self.users_file}: add one with `rag users add NAME --role editor --file {self.users_file}`"
                )
        lim = self.limits
        self.questions = RateLimiter(lim.questions, clock)
        self.uploads = RateLimiter(lim.upload_requests, clock)
        self.changes = RateLimiter(lim.changes, clock)
        self.signin_names = RateLimiter(lim.signin_per_name, clock)
        self.signin_addresses = RateLimiter(lim.signin_per_address, clock)

    @property
    def signed_in(self) -> bool:
        """True when every request must come from a signed-in user."""
        return self.mode == SIGNED_IN

    def refusal(self, host: str) -> str | None:
        """Why the app must not be served on `host` (None: it may): no sign-in off loopback needs --insecure-no-auth."""
        if self.mode == LOCAL and not is_loopback(host):
            return f"refusing to serve on {host} without sign-in: {SIGN_IN_HOWTO}"
        return None

    def auth_message(self) -> str:
        """What the sign-in page says above the form."""
        name, address = self.limits.signin_per_name, self.limits.signin_per_address
        return (
            "Crisis briefing: sign in with the name and password your operator gave you. "
            f"After {name.burst} failed sign-ins for one name, or {address.burst} from one address, sign-in pauses: "
            f"one more try every {name.every:g} s."
        )

    # ------------------------------------------------------------------ users

    def users(self) -> Users:
        """The users file as it is now: read again when it changed; AccessDenied when it is missing or fails its checks."""
        assert self.users_file is not None
        with self._lock:
            signature = _signature(self.users_file)
            if signature != self._signature:
                self._signature, serving = signature, self._users is not None
                try:
                    self._users, self._error = load_users(self.users_file), None
                except UsersFileError as exc:
                    self._users, self._error = None, str(exc)
                    if serving:  # at start the caller reports it; while serving, the log is the only place
                        print(f"error: {exc}; every request is refused until it is fixed", file=sys.stderr, flush=True)
            if self._users is None:
                raise UsersFileError(self._error or f"users file {self.users_file} is unreadable")
            return self._users

    async def authenticate(self, username: str, password: str) -> bool:
        """Gradio's `auth=`: True when `password` is `username`'s (argon2id, checked off the event loop)."""
        try:
            user = self.users().get(username)
        except UsersFileError:
            user = None  # the file broke while serving: nobody signs in (the error is in the log)
        return await anyio.to_thread.run_sync(verify_password, user.password_hash if user else None, password)

    # ------------------------------------------------------------------ requests of the page and the API

    def caller(self, request: Any) -> Caller:
        """Who made `request` (a `gr.Request`); AccessDenied when they are no longer a user."""
        client = getattr(request, "client", None)
        address = getattr(client, "host", None)
        if self.mode == LOCAL:
            return Caller("local", EDITOR, address)
        if self.mode == OPEN:
            return Caller("anonymous", READER, address)
        name = getattr(request, "username", None)
        try:
            user = self.users().get(name) if name else None
        except UsersFileError as exc:
            raise AccessDenied(f"sign-in is unavailable: {exc}") from None
        if user is None:
            raise AccessDenied("you are not signed in, or your account was removed: reload the page and sign in")
        return Caller(user.name, user.role, address)

    def ask(self, request: Any) -> Caller:
        """The caller of a question or briefing, which takes one of their question tokens; RateLimited when none is left."""
        caller = self.caller(request)
        if self.mode != LOCAL:
            self._take(self.questions, caller, "questions", self.limits.questions.describe("questions"))
        return caller

    def change(self, request: Any) -> Caller:
        """The caller of an add or remove: an editor with a change token left, else AccessDenied / RateLimited."""
        caller = self.editor(request)
        if self.mode != LOCAL:
            self._take(self.changes, caller, "changes to the articles", self.limits.changes.describe("changes"))
        return caller

    def editor(self, request: Any) -> Caller:
        """The caller if they are an editor, else AccessDenied saying so."""
        caller = self.caller(request)
        if not caller.is_editor:
            why = "without sign-in" if self.mode == OPEN else f"you are signed in as {caller.name}, a {caller.role}"
            raise AccessDenied(f"only editors may add or remove articles ({why})")
        return caller

    def _take(self, limiter: RateLimiter, caller: Caller, what: str, rule: str) -> None:
        key = caller.name if self.mode == SIGNED_IN else f"address {caller.address}"
        wait = limiter.take(key)
        if wait:
            raise RateLimited(
                f"too many {what} in a short time (the limit is {rule}): try again in {seconds_text(wait)}"
            )

    # ------------------------------------------------------------------ HTTP requests (ui.gate)

    def upload_refusal(self, username: str | None) -> tuple[int, str] | None:
        """(status, message) refusing an upload of files to the server, or None to let it through."""
        if self.mode == LOCAL:
            return None
        if self.mode == OPEN:
            return 403, "uploads are turned off: this server runs without sign-in (--insecure-no-auth)"
        try:
            user = self.users().get(username) if username else None
        except UsersFileError as exc:
            return 403, f"sign-in is unavailable: {exc}"
        if user is None:
            return 403, "sign in as an editor to upload articles"
        if not user.is_editor:
            return 403, f"only editors may upload articles ({user.name} is a {user.role})"
        wait = self.uploads.take(user.name)
        if wait:
            rule = self.limits.upload_requests.describe("uploads")
            return 429, f"too many uploads in a short time (the limit is {rule}): try again in {seconds_text(wait)}"
        return None

    def signin_wait(self, name: str, address: str | None) -> float:
        """Seconds before `name` from `address` may try to sign in again (0: now)."""
        return max(self.signin_names.wait(_name_key(name)), self.signin_addresses.wait(address or "?"))

    def signin_failed(self, name: str, address: str | None) -> None:
        """Count a failed sign-in against the name and the address."""
        self.signin_names.take(_name_key(name))
        self.signin_addresses.take(address or "?")


def _name_key(name: str) -> str:
    return name.strip().casefold()[:200]


def _signature(path: Path) -> tuple[int, ...]:
    """What tells a rewritten users file (or key) from the one read last, without reading it."""
    out: list[int] = []
    for p in (path, key_path(path)):
        try:
            st = p.stat()
            out += [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_mode]
        except OSError:
            out += [-1]
    return tuple(out)
