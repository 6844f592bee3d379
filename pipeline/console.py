"""What the person at the console sees when something goes wrong: one line naming the problem and what
to do, never a stack trace; the full traces go to a log file the line names (README "Running it on
real extracts": exit codes and the error log).

The log is `<warehouse>.errors.log` beside the warehouse when its folder is writable, else
`pipeline-<uid>.errors.log` in the temporary folder; it is created readable by its owner only (a trace
may quote a supplied value), and Postgres passwords are masked in it as on the console."""

import os
import tempfile
import traceback
from datetime import datetime, timezone
from pathlib import Path

from pipeline.redact import redact

LONGEST = 300  # characters of an error message shown on the console; the log has it whole
# what to do about the faults of the environment an error message names (matched in its text)
ADVICE = {
    "No space left on device": "the disk is full: free space there (or point TMPDIR and the warehouse at a bigger "
                               "disk) and run it again; the previous publication is unchanged",
    "Read-only file system": "a folder it writes is read-only: mount it read-write, or choose another folder",
    "Permission denied": "the user running it may not write there: give it the folder, or choose another",
    "Disk quota exceeded": "the user's disk quota is used up: free space or raise the quota, and run it again",
}


def log_path(warehouse: Path | None) -> Path:
    """Where this command writes its traces (see the module's docstring)."""
    if warehouse is not None:
        folder = warehouse.parent
        if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
            return warehouse.with_name(warehouse.name + ".errors.log")
    return Path(tempfile.gettempdir()) / f"pipeline-{os.getuid()}.errors.log"


def write_trace(path: Path, title: str, trace: str, conninfo: str | None = None) -> str:
    """Append `trace` under a dated `title` to the log at `path` (the temporary folder's if that cannot
    be written, e.g. on a full disk); returns the words for the console: where it went."""
    text = redact(f"--- {datetime.now(timezone.utc):%Y-%m-%d %H:%M:%S} UTC {title}\n{trace.rstrip()}\n", conninfo)
    data = text.encode("utf-8", "backslashreplace")
    for target in dict.fromkeys((path, log_path(None))):
        try:
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                written = 0
                while written < len(data):
                    written += os.write(fd, data[written:])
            finally:
                os.close(fd)
        except OSError:
            continue
        return f"the full trace is in {target}"
    return f"no trace written: {path} cannot be written"


def open_log(path: str | None):
    """The log at `path` opened for appending (owner-only, as write_trace makes it), or None when there is
    no log or it cannot be opened: for a process's stderr."""
    if not path:
        return None
    try:
        return os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "a")
    except OSError:
        return None


def exception_trace(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def one_line(message: str) -> str:
    """An error message as one console line: its first line, cut to LONGEST, with advice for a known fault."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()] or ["(no message)"]
    line = lines[0] if len(lines[0]) <= LONGEST else lines[0][:LONGEST] + "..."
    advice = next((what for needle, what in ADVICE.items() if needle in message), None)
    return f"{line}: {advice}" if advice else line
