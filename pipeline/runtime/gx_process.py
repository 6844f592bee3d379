"""Great Expectations in a process of its own, started as a refresh starts; the gates validate there.

Importing GX takes 1.5 s of one core, and each entity's validations most of a second: in a process of
their own they run while the refresh's process loads the next entities (pipeline/defs/assets/raw.py), on
the machine's other core. Not a thread of the refresh's process: GX's import of SQLAlchemy raced
Dagster's use of it (`partially initialized module`). Not multiprocessing: its spawn re-imports the
parent's __main__ (the CLI, Dagster's run worker) first.

`submit` sends one of gx_runner's functions (SERVED) with its arguments and returns a Future of its
value; the process runs them in order. run_suite, build_data_docs and render_pending_docs wait for
theirs. The validations stored for Data Docs live in the process, which lives as long as the one that
started it: it exits when its requests' pipe closes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections import deque
from concurrent.futures import Future
from pathlib import Path

from pipeline.console import open_log
from pipeline.errors import ERROR_LOG_ENV
from pipeline.paths import package_environment

SERVED = ("run_suite", "build_data_docs", "render_pending_docs")  # the functions of gx_runner it runs
_lock = threading.RLock()  # one request at a time into the pipe


class _Process:
    """The running process, its requests awaiting a reply (oldest first), and the thread reading the replies:
    a thread, so a large reply never waits for the next request to be written (two full pipes)."""

    def __init__(self) -> None:
        # what GX prints (its warnings, a failed Data Docs write's traces) goes to the CLI's log, if it set one
        stderr = open_log(os.environ.get(ERROR_LOG_ENV))
        self.log = os.environ[ERROR_LOG_ENV] if stderr else None
        with stderr or contextlib.nullcontext():
            self.popen = subprocess.Popen([sys.executable, "-m", "pipeline.runtime.gx_process"], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=stderr, env=package_environment())
        self.waiting: deque[tuple[str, Future]] = deque()
        self.reader = threading.Thread(target=self._read_replies, name="gx-replies", daemon=True)
        self.reader.start()

    def alive(self) -> bool:
        return self.popen.poll() is None and self.reader.is_alive()

    def send(self, name: str, args: tuple, kwargs: dict) -> Future:
        future: Future = Future()
        self.waiting.append((name, future))
        try:
            pickle.dump((name, args, kwargs), self.popen.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.popen.stdin.flush()
        except BaseException:
            self.popen.kill()  # a request half written leaves the pipe out of step; the reader fails the rest
            raise
        return future

    def _read_replies(self) -> None:
        try:
            while True:
                ok, value = pickle.load(self.popen.stdout)
                # no lock: a request is queued before it is written, so its reply finds it (deque is thread-safe)
                _, future = self.waiting.popleft()
                (future.set_result if ok else future.set_exception)(value)
        except BaseException:  # EOFError: the process exited (its error, if any, went to stderr)
            code = self.popen.wait()
            while self.waiting:  # a request sent after this fails to be written (BrokenPipeError) instead
                name, future = self.waiting.popleft()
                future.set_exception(RuntimeError(f"the Great Expectations process exited (code {code}) before "
                                                  f"{name} ended; its error is in {self.log or 'the output above'}"))


_process: _Process | None = None


def start() -> None:
    """Start the GX process, unless it is running: it imports GX at once, before its first request."""
    global _process
    with _lock:
        if _process is None or not _process.alive():
            _process = _Process()


def started() -> bool:
    """Whether this process started a GX process (which may hold validations to render)."""
    return _process is not None


def submit(name: str, *args, **kwargs) -> Future:
    """gx_runner.<name>(*args, **kwargs) in the GX process (started if need be): a Future of its value."""
    if name not in SERVED:
        raise ValueError(f"the Great Expectations process does not serve {name!r}")
    with _lock:
        start()
        return _process.send(name, args, kwargs)


def run_suite(*args, **kwargs):
    """gx_runner.run_suite, in the GX process: a SuiteOutcome."""
    return submit("run_suite", *args, **kwargs).result()


def build_data_docs(data_docs_dir: Path) -> Path:
    """gx_runner.build_data_docs, in the GX process: the index.html of data_docs_dir."""
    return submit("build_data_docs", data_docs_dir).result()


def render_pending_docs() -> None:
    """gx_runner.render_pending_docs, in the GX process, if this process started one."""
    if started():
        submit("render_pending_docs").result()


def _reply(request: tuple) -> tuple[bool, object]:
    from pipeline.quality import gx_runner

    name, args, kwargs = request
    try:
        return True, getattr(gx_runner, name)(*args, **kwargs)
    except Exception as error:  # sent back to be raised in the refresh, with this side's traceback
        error.add_note("in the Great Expectations process:\n" + traceback.format_exc())
        try:
            pickle.dumps(error)
            return False, error
        except Exception:
            return False, RuntimeError(f"{type(error).__name__}: {error}\n{traceback.format_exc()}")


def _serve() -> None:
    # Ctrl-C, SIGTERM and SIGHUP reach this process too (its process group): the refresh decides, and this
    # process ends when the refresh closes its requests' pipe, without a KeyboardInterrupt's trace
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    try:
        _answer()
    except BrokenPipeError:  # the refresh ended (stopped, or died) before reading the reply: nobody to tell
        os._exit(0)


def _answer() -> None:
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever GX or a library prints goes to stderr, not into the replies
    from pipeline.quality import gx_runner

    gx_runner.prepare()
    requests = sys.stdin.buffer
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:  # the refresh's process closed the pipe (it ended, or died)
            return
        pickle.dump(_reply(request), replies, protocol=pickle.HIGHEST_PROTOCOL)
        replies.flush()


if __name__ == "__main__":
    _serve()
