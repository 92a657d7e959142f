"""The users file: names, roles (reader or editor) and argon2id password hashes, checked whole on every load.

`users.json` is JSON written atomically (temp file, fsync, rename) with mode 0600. Its integrity
is checked two ways on load, and any failure is one `UsersFileError` saying what to do:

- strict validation: exactly the expected fields, names of a safe alphabet, a known role, an
  argon2id hash, a timestamp, and nothing else;
- a keyed MAC (HMAC-SHA256 over the canonical JSON) with a 256-bit secret kept next to it in
  `users.json.key` (also 0600), written by `rag users` and by nothing else.

Threat covered: the users file changed by anything but `rag users`: a hand edit that makes someone
an editor or adds a name, a file restored from another deployment or backup without its key, a
truncated or corrupted write. Either way the server refuses to start (and, when it changes while
serving, refuses everyone) instead of trusting it. Not covered: someone who can read the key file,
i.e. the server's own account or root; they could run `rag users` anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..durable import fsync_dir
from ..errors import RagError
from .passwords import hash_password, is_password_hash

FORMAT = "crisis-rag-users"
VERSION = 1
READER, EDITOR = "reader", "editor"
ROLES = (READER, EDITOR)
# letters, digits and . _ @ - (an e-mail address fits); what a name may be in logs and on the page
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
_FIELDS = {"format", "version", "users", "mac"}
_USER_FIELDS = {"role", "hash", "created"}
_MAX_FILE_BYTES = 10_000_000
_KEY_HEX = re.compile(r"[0-9a-f]{64}")


class UsersFileError(RagError, ValueError):
    """The users file (or its key) is missing, unreadable, too open, malformed or fails its integrity check."""


@dataclass(frozen=True)
class User:
    """One user: a name, a role and the argon2id hash of the password."""

    name: str
    role: str
    password_hash: str
    created: str  # ISO time, UTC, when the user was added (or last changed)

    @property
    def is_editor(self) -> bool:
        """Editors may add, replace and remove articles; readers ask and read."""
        return self.role == EDITOR


@dataclass(frozen=True)
class Users:
    """The users of one users file, as loaded and checked."""

    path: Path
    users: tuple[User, ...]

    def get(self, name: str | None) -> User | None:
        """The user called `name` (exactly), or None."""
        return next((u for u in self.users if u.name == name), None)

    def __len__(self) -> int:
        return len(self.users)


def key_path(path: str | os.PathLike[str]) -> Path:
    """Where the secret of the users file `path` is kept: next to it, `<name>.key`."""
    p = Path(path)
    return p.with_name(p.name + ".key")


def check_name(name: str) -> str:
    """`name` when it can be a user name, else ValueError saying what a name may hold."""
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise ValueError(
            f"bad user name {name!r}: use 1 to 64 letters, digits or . _ @ - (starting with a letter or digit)"
        )
    return name


def check_role(role: str) -> str:
    """`role` when it is a role, else ValueError naming the roles."""
    if role not in ROLES:
        raise ValueError(f"bad role {role!r}: use {' or '.join(ROLES)}")
    return role


def load_users(path: str | os.PathLike[str]) -> Users:
    """Read and check the users file `path` and its key; `UsersFileError` (one line, with the fix) when it fails."""
    p = Path(path)
    body = _read_json(p)
    mac = body.pop("mac", None)
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(_read_key(p), body)):
        raise UsersFileError(
            f"users file {p} fails its integrity check (changed outside `rag users`, or restored without its key "
            f"file {key_path(p).name}): restore both from the same backup, or delete both and add the users again "
            "with `rag users add`"
        )
    return Users(p, tuple(_parsed_users(p, body)))


def add_user(path: str | os.PathLike[str], name: str, role: str, password: str, *, update: bool = False) -> User:
    """Add `name` with `role` and `password` (hashed) to the users file, creating it (and its key) if needed.

    A name already there is an error unless `update`, which replaces its role and password.
    """
    user = User(check_name(name), check_role(role), hash_password(password), _now())
    with _locked(path):
        users = list(load_users(path).users) if Path(path).exists() else []
        if any(u.name == name for u in users) and not update:
            raise ValueError(f"user {name!r} already exists in {path}: pass --update to change their role or password")
        save_users(path, [*(u for u in users if u.name != name), user])
    return user


def remove_user(path: str | os.PathLike[str], name: str) -> User:
    """Remove `name` from the users file and return who was removed; ValueError when there is no such user."""
    with _locked(path):
        users = load_users(path)
        gone = users.get(name)
        if gone is None:
            raise ValueError(f"no user {name!r} in {path} (`rag users list` shows who there is)")
        save_users(path, [u for u in users.users if u.name != name])
    return gone


def save_users(path: str | os.PathLike[str], users: list[User]) -> None:
    """Write the users file atomically with mode 0600, its MAC made with the key next to it (created if missing).

    A key is only ever created together with a new users file: a users file without its key
    cannot be vouched for, so that is an error rather than a fresh key.
    """
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if not key_path(p).exists():
        if p.exists():
            raise UsersFileError(
                f"the key file {key_path(p)} of {p} is missing: restore it, or delete {p} and add the users again"
            )
        _write_atomic(key_path(p), (secrets.token_hex(32) + "\n").encode("ascii"))
    body = {
        "format": FORMAT,
        "version": VERSION,
        "users": {
            u.name: {"role": u.role, "hash": u.password_hash, "created": u.created}
            for u in sorted(users, key=lambda u: u.name)
        },
    }
    data = {**body, "mac": _mac(_read_key(p), body)}
    _write_atomic(p, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _parsed_users(path: Path, body: Mapping[str, object]) -> Iterator[User]:
    def bad(what: str) -> UsersFileError:
        return UsersFileError(f"users file {path} is malformed: {what}; recreate it with `rag users add`")

    if set(body) != _FIELDS - {"mac"}:
        raise bad(f"expected the fields {sorted(_FIELDS)}, found {sorted([*body, 'mac'])}")
    if body["format"] != FORMAT or body["version"] != VERSION:
        raise bad(f"not a {FORMAT} file of version {VERSION}")
    users = body["users"]
    if not isinstance(users, dict):
        raise bad("'users' is not an object")
    for name, fields in users.items():
        if not NAME.fullmatch(name):
            raise bad(f"bad user name {name!r}")
        if not isinstance(fields, dict) or set(fields) != _USER_FIELDS:
            raise bad(f"user {name!r} must have exactly the fields {sorted(_USER_FIELDS)}")
        if fields["role"] not in ROLES:
            raise bad(f"user {name!r} has the unknown role {fields['role']!r}")
        if not is_password_hash(fields["hash"]):
            raise bad(f"user {name!r} has no argon2id password hash")
        if not isinstance(fields["created"], str) or not _is_time(fields["created"]):
            raise bad(f"user {name!r} has no valid 'created' time")
        yield User(name, fields["role"], fields["hash"], fields["created"])


def _read_json(path: Path) -> dict[str, object]:
    data = _read_private(path, "users file", f"create it with `rag users add NAME --role editor --file {path}`")
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsersFileError(f"users file {path} is not valid JSON ({exc}); recreate it with `rag users add`") from None
    if not isinstance(body, dict):
        raise UsersFileError(f"users file {path} is not a JSON object; recreate it with `rag users add`")
    return body


def _read_key(path: Path) -> bytes:
    key = key_path(path)
    text = _read_private(key, "key file", f"restore it, or delete {path} and add the users again").decode(
        "ascii", "replace"
    )
    if not _KEY_HEX.fullmatch(text.strip()):
        raise UsersFileError(
            f"key file {key} is malformed: restore it, or delete {path} and {key} and add the users again"
        )
    return bytes.fromhex(text.strip())


def _read_private(path: Path, what: str, fix: str) -> bytes:
    """The bytes of `path`, refused when missing, not a regular file, too large, or open to other accounts."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise UsersFileError(f"{what} not found: {path} ({fix})") from None
    except OSError as exc:
        raise UsersFileError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise UsersFileError(f"{what} {path} is not a regular file")
    if st.st_mode & 0o077:
        raise UsersFileError(
            f"{what} {path} is open to other accounts (mode {stat.S_IMODE(st.st_mode):04o}): run chmod 600 {path}"
        )
    if st.st_size > _MAX_FILE_BYTES:
        raise UsersFileError(f"{what} {path} is {st.st_size:,} bytes: not a users file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsersFileError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _mac(key: bytes, body: Mapping[str, object]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    """Write `path` as a whole: a private temp file in the same folder, synced, renamed over it, folder synced."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)  # whatever the umask
        os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _locked(path: str | os.PathLike[str]) -> Iterator[None]:
    """One `rag users` change at a time per users file (read, change, write)."""
    from filelock import FileLock

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock", mode=0o600):
        yield


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _is_time(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
