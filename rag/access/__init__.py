"""Who may use a served index and what they changed: the users file (roles, argon2id hashes) and the audit log.

Library code, shared by `rag users` (the CLI, which stays thin) and the web chat (`ui`), which
serves and enforces it; nothing here imports Gradio. Example::

    from rag.access import add_user, load_users, verify_password, append_event, audit_trail
    add_user("data/users.json", "alice", "editor", "a long passphrase")
    user = load_users("data/users.json").get("alice")
    verify_password(user.password_hash, "a long passphrase")          # True
    audit_trail("page.html", "data/audit.jsonl", index).source        # the line that brought it in
"""

from .audit import ACTIONS, AUDIT_FILE, AuditEvent, AuditTrail, append_event, audit_trail, file_of, read_events
from .passwords import MIN_PASSWORD_CHARS, check_password_rules, hash_password, verify_password
from .users import (
    EDITOR,
    READER,
    ROLES,
    User,
    Users,
    UsersFileError,
    add_user,
    check_name,
    key_path,
    load_users,
    remove_user,
)

__all__ = [
    "ACTIONS",
    "AUDIT_FILE",
    "EDITOR",
    "MIN_PASSWORD_CHARS",
    "READER",
    "ROLES",
    "AuditEvent",
    "AuditTrail",
    "User",
    "Users",
    "UsersFileError",
    "add_user",
    "append_event",
    "audit_trail",
    "check_name",
    "check_password_rules",
    "file_of",
    "hash_password",
    "key_path",
    "load_users",
    "read_events",
    "remove_user",
    "verify_password",
]
