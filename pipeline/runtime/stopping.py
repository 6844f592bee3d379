"""Stopping a refresh at any moment: SIGINT (Ctrl-C), SIGTERM (systemd, `kill`) and SIGHUP (the terminal
closed) all raise Stopped in the main thread, so every `finally` and atexit clean-up runs (the new
warehouse file's temp file, the warm dbt process and its socket folder) and the CLI says so in one line.

Two ways a stop used to be lost or late: DuckDB turns a SIGINT that arrives during a query into a
RuntimeError("Query interrupted"), which the loaders' `except Exception` (one LA's bad file must not
stop the others) took for a bad file, and the refresh ran on and published; and a handler written in
Python runs only between two Python statements, never inside a DuckDB query. So a SIGTERM or SIGHUP
that the Python handler has not taken within GRACE seconds is passed on as a SIGINT (by a thread that
signal.set_wakeup_fd wakes), which DuckDB acts on at once; and every broad `except` calls `reraise` first.
(Dagster's own SIGINT handler runs during a run: it fails the step, and pipeline.defs.refresh raises
Stopped when the run has ended.)"""

import os
import signal
import threading
import time
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
GRACE = 2.0  # seconds
QUERY_INTERRUPTED = "Query interrupted"  # DuckDB's message when a SIGINT stops a query


class Stopped(KeyboardInterrupt):
    """A stop signal arrived; a KeyboardInterrupt, so that Dagster and the libraries treat it as Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


_received: int | None = None
_raised = False


@contextmanager
def handled():
    """Handle the stop signals in this process while the block runs (the CLI's command; nothing outside
    the main thread, where signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    global _received, _raised
    _received, _raised = None, False
    previous = {sig: signal.signal(sig, _stop) for sig in SIGNALS}
    read, write = os.pipe()
    os.set_blocking(write, False)
    old_fd = signal.set_wakeup_fd(write)  # written by the C-level handler at once, even while a query runs
    threading.Thread(target=_pass_on, args=(read,), name="stop-signals", daemon=True).start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(old_fd)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        os.close(write)  # the thread reads the end of the pipe and ends


def _pass_on(fd: int) -> None:
    """SIGTERM or SIGHUP that the Python handler could not take within GRACE seconds (the main thread is
    in a DuckDB query): send this process a SIGINT, which stops the query. Not at once: in Python code the
    handler has already raised, and a SIGINT then would break into the clean-up it started."""
    global _received
    with os.fdopen(fd, "rb", buffering=0) as wakeups:
        while data := wakeups.read(64):
            stops = [s for s in data if s in SIGNALS]
            if stops:  # the first one is what the CLI names, whichever handler (Dagster's, DuckDB's) takes it
                _received = _received or stops[0]
            if any(s != signal.SIGINT for s in stops) and not _raised:
                time.sleep(GRACE)
                if not _raised:
                    os.kill(os.getpid(), signal.SIGINT)


def _stop(signum: int, _frame) -> None:
    """Raise Stopped once: a second signal must not break into the clean-up the first one started."""
    global _received, _raised
    _received = _received or signum
    if not _raised:
        _raised = True
        raise Stopped(_received)


def received() -> int | None:
    """The stop signal this process received, if any."""
    return _received


def reraise(exc: BaseException) -> None:
    """Raise Stopped instead of `exc` when it is a stop in disguise (a stop signal came, or DuckDB's
    interrupted query): the first line of every `except Exception` that would otherwise carry on."""
    global _received
    if _received is None and isinstance(exc, RuntimeError) and QUERY_INTERRUPTED in str(exc):
        _received = signal.SIGINT  # DuckDB's handler took it: Python's never ran
    if _received is not None:
        raise Stopped(_received) from exc


def raise_if_stopped(interrupted: bool = False) -> None:
    """Raise Stopped if a stop signal came (`interrupted`: a Dagster step was stopped by one, which
    Dagster, whose own SIGINT handler runs during a run, records as the step's failure)."""
    if _received is not None or interrupted:
        raise Stopped(_received or signal.SIGINT)
