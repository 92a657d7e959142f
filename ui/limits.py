"""Rate limits of the served chat: token buckets per user (questions, uploads, changes) and per sign-in name and address.

A bucket holds up to `burst` tokens and gets one back every `every` seconds; an action takes
one token or is refused with the seconds to wait. Buckets are kept per key (a user name, a
client address) in memory, per server process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rag.ingest import byte_limit
from rag.sources import MAX_FILE_BYTES

# The largest file any format takes (.txt/.md 1 MB, pages 10 MB, feeds 30 MB): the upload limit per
# file. JSONL exports, read line by line, have no limit of their own; through the web this one holds.
MAX_UPLOAD_FILE_BYTES = max(MAX_FILE_BYTES, *(byte_limit(name) or 0 for name in ("page.html", "feed.rss", "feed.atom")))


@dataclass(frozen=True)
class Rate:
    """`burst` actions at once, then one more every `every` seconds."""

    burst: int
    every: float

    def __post_init__(self) -> None:
        if self.burst < 1 or self.every <= 0:
            raise ValueError(f"a rate needs burst >= 1 and every > 0, got {self.burst} and {self.every}")

    def describe(self, noun: str) -> str:
        """E.g. '20 questions at once, then one every 3 s'."""
        return f"{self.burst} {noun} at once, then one every {self.every:g} s"


@dataclass(frozen=True)
class Limits:
    """The limits of one served app; the defaults suit a few analysts on two cores."""

    questions: Rate = Rate(20, 3.0)  # per user: chat questions, briefings, /answer and /brief calls
    upload_requests: Rate = Rate(20, 30.0)  # per editor: requests that put files on the server (/upload)
    changes: Rate = Rate(10, 60.0)  # per editor: "Add" and "Remove" (each one a build)
    signin_per_name: Rate = Rate(5, 60.0)  # failed sign-ins per user name
    signin_per_address: Rate = Rate(20, 15.0)  # failed sign-ins per client address
    max_files_per_change: int = 20
    max_upload_file_bytes: int = MAX_UPLOAD_FILE_BYTES
    # one /upload request (all its files and the multipart framing)
    max_upload_request_bytes: int = 100_000_000


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Token buckets of one `rate`, one per key; thread-safe. `clock` is `time.monotonic` unless a test gives one."""

    rate: Rate
    clock: Callable[[], float] = time.monotonic
    max_keys: int = 10_000  # names typed at a sign-in are keys too: forget full buckets past this many
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: str) -> float:
        """Seconds until `key` may act again (0: now), taking nothing."""
        with self._lock:
            return self._wait(self._refilled(key))

    def take(self, key: str) -> float:
        """Take one token of `key`: 0 when taken, else the seconds to wait (and nothing is taken)."""
        with self._lock:
            bucket = self._refilled(key)
            wait = self._wait(bucket)
            if wait == 0:
                bucket.tokens -= 1
            return wait

    def _refilled(self, key: str) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_keys:
                self._forget_full(now)
            bucket = self._buckets[key] = _Bucket(float(self.rate.burst), now)
        bucket.tokens = min(float(self.rate.burst), bucket.tokens + (now - bucket.stamp) / self.rate.every)
        bucket.stamp = now
        return bucket

    def _wait(self, bucket: _Bucket) -> float:
        return 0.0 if bucket.tokens >= 1 else (1 - bucket.tokens) * self.rate.every

    def _forget_full(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.stamp) / self.rate.every >= self.rate.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:  # all of them busy: forget the oldest half rather than grow
            for key in sorted(self._buckets, key=lambda k: self._buckets[k].stamp)[: self.max_keys // 2]:
                del self._buckets[key]


def seconds_text(seconds: float) -> str:
    """'12 s' or '3 min' for a wait."""
    return f"{max(1, round(seconds))} s" if seconds < 120 else f"{round(seconds / 60)} min"
