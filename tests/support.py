"""Helpers shared by every test folder: repository paths, the offset rule, known questions, made-up articles, the app.

`tests/` is on `sys.path` (`pythonpath` in pyproject.toml), so any test imports this as `support`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import rag

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_ID = "2022-01-04-biden-zelenskiy-call.txt"  # the one committed seed article
GENEVA_Q = "In which city will the talks take place?"  # answered by the seed with "Geneva"

# Questions on the seed article and a phrase the quote must hold.
KNOWN = [
    ("In which city will the talks take place?", "Geneva"),
    ("How many troops has Russia massed near the border?", "100,000"),
    ("Who is the White House press secretary?", "Psaki"),
    ("What did the Kremlin demand?", "NATO"),
]
# Questions no indexed article answers.
OFF_TOPIC = ["What is the boiling point of water?", "How do I bake sourdough bread?"]


def make_document(text: str, doc_id: str = "t.txt") -> rag.Document:
    """A `Document` of `text` as the reader makes it from a file: header parsed, body start set."""
    from rag.documents import parse_header

    meta, body = parse_header(text)
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return rag.Document(doc_id, text, sha, date=meta.get("date"), title=meta.get("title"), body_start=body)


def assert_exact(index: rag.Index, answer: rag.Answer) -> None:
    """The offset rule for the quote and each passage, the quote's length limit; a refusal carries no quote."""
    if answer.found:
        assert answer.doc_id is not None and answer.start is not None and answer.end is not None
        assert index.document(answer.doc_id).text[answer.start : answer.end] == answer.text
        assert len(answer.text) <= index.settings.max_quote_chars
        if answer.highlight is not None:
            h0, h1 = answer.highlight
            assert 0 <= h0 < h1 <= len(answer.text)
    else:
        assert answer.doc_id is None and answer.start is None and answer.end is None
        assert answer.highlight is None
    for p in answer.passages:
        assert index.document(p.doc_id).text[p.start : p.end] == p.text


_PLACES = ["Velmar", "Ostrin", "Karvel", "Doruna", "Seltic", "Marnow", "Tavik", "Orlesk", "Brenna", "Quillan"]
_GOODS = ["grain", "fuel", "medicine", "steel", "timber", "fertiliser", "coal", "salt", "cotton", "copper"]


def article(i: int, sentences: int = 12) -> str:
    """A made-up dated news article with `sentences` distinct sentences (deterministic in `i`)."""
    place, goods = _PLACES[i % len(_PLACES)], _GOODS[(i // len(_PLACES)) % len(_GOODS)]
    lines = [
        f"date 2022-02-{1 + i % 28:02d} The port of {place} reopened to {goods} shipments on Tuesday, officials said."
    ]
    for j in range(sentences - 1):
        lines.append(
            f"Convoy {i}-{j} carried {100 + 7 * j + i} tonnes of {goods} from {place} towards the eastern depots, "
            f"a route first used in {1990 + (i + j) % 30}."
        )
    return "\n".join(lines) + "\n"


def write_articles(folder: Path, count: int, sentences: int = 12, start: int = 0) -> list[Path]:
    """Write `count` made-up articles into `folder` as extra-<i>.txt."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + count):
        path = folder / f"extra-{i:03d}.txt"
        path.write_text(article(i, sentences), encoding="utf-8")
        paths.append(path)
    return paths


def copy_seeds(dst: Path) -> Path:
    """A writable copy of the seed folder at `dst`."""
    shutil.copytree(SEEDS, dst)
    return dst


def load_script(name: str) -> ModuleType:
    """Import `scripts/<name>.py` (the scripts folder is not a package) as module `name`."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def child_env() -> dict[str, str]:
    """The environment for a Python child process of the tests: offline, the repo importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADIO_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    return env


class RunningApp:
    """`python -m ui` in a child process, on a free loopback port."""

    def __init__(
        self, index_dir: Path, sources: Path, data_dir: Path, log: Path, extra_args: tuple[str, ...] = ()
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._log_fh = log.open("wb")
        args = ["--port", str(self.port), "--index", str(index_dir), "--sources", str(sources), "--data", str(data_dir)]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ui", *args, *extra_args],
            cwd=ROOT,
            env=child_env(),
            stdout=self._log_fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        """Wait until the page is served and the index is open (the first /answer returns)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=5) as resp:
                    if resp.status == 200 and "ready:" in self.output():
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise TimeoutError(f"the app was not ready after {timeout:.0f} s:\n{self.output()}")

    def output(self) -> str:
        """What the app printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate the app (then kill it if it lingers)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log_fh.close()


@dataclass(frozen=True)
class SignedInApp:
    """The web chat with sign-in, running in this process on loopback over copies of the seeds and their index."""

    demo: Any  # ui.app.ChatApp
    url: str  # without the trailing slash
    data: Path
    sources: Path


def start_signed_in(
    tmp: Path, seed_index: rag.Index, logins: dict[str, tuple[str, str]], limits: Any = None
) -> SignedInApp:
    """Serve the chat with the users `logins` (name: (role, password)) and `limits` (a `ui.limits.Limits`).

    The seeds and the seed index are copied under `tmp`, so uploads change the copies only; `demo.close()` stops it.
    """
    from rag.access import add_user
    from ui import app as ui_app
    from ui.signin import SIGNED_IN, Access

    sources, index_dir, data = tmp / "seeds", tmp / "index", tmp / "data"
    shutil.copytree(SEEDS, sources)
    shutil.copytree(seed_index.path, index_dir)
    for name, (role, password) in logins.items():
        add_user(data / "users.json", name, role, password)
    demo = ui_app.build_app(index_dir, sources, data, Access(SIGNED_IN, data / "users.json", limits))
    ui_app.prepare(demo, log=False, background=False)
    url = ui_app.launch(demo, "127.0.0.1", free_port(), block=False)
    return SignedInApp(demo, url.rstrip("/"), data, sources)


class _Rendered(HTMLParser):
    """Text of rendered HTML, its tag names, and the text inside <strong> and inside <time class="event">."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[str] = []
        self.strong: list[str] = []
        self.events: list[str] = []
        self.classes: list[str] = []
        self._open: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        cls = dict(attrs).get("class") or ""
        self.classes.append(cls)
        self._open.append((tag, cls))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i][0] == tag:
                del self._open[i]
                break

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if any(t == "strong" for t, _ in self._open):
            self.strong.append(data)
        if any(t == "time" and c == "event" for t, c in self._open):
            self.events.append(data)


def rendered(markdown: str) -> _Rendered:
    """What a reader sees of chat Markdown: rendered by markdown-it (CommonMark, as the chat's parser) and read back."""
    import markdown_it

    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    parsed = _Rendered()
    parsed.feed(md.render(markdown))
    return parsed


def squash(text: str) -> str:
    """`text` with every run of whitespace made one space."""
    return " ".join(text.split())
