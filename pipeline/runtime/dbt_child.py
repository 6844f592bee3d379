"""`pipeline-dbt`: dbt, run as a child that dies with the refresh that started it, in a process that
imported dbt while the entities loaded.

dagster-dbt starts dbt as a subprocess. If the refresh is killed outright (SIGKILL, the OOM killer)
an ordinary child would run on, orphaned, still writing the build warehouse. Before handing over
to dbt this asks Linux to SIGKILL it when its parent dies (PR_SET_PDEATHSIG), and exits at once if
the parent named in PIPELINE_REFRESH_PID is already gone.

Importing dbt takes a second of one core, and its first parse in a process 0.7 s more than later ones.
`start_warm`, called as a refresh starts, runs a process that imports it and parses the project once then
(_warm_up), and waits on a Unix socket (named by PIPELINE_DBT_WARM in dbt's environment).
`pipeline-dbt`, when dagster-dbt starts it, hands that process its command line, environment, working
folder and standard streams, and exits with its exit status; it passes on the signals dagster-dbt
sends to stop dbt, and if it dies the warm process stops too. One warm process serves one dbt
invocation, then exits without Python's teardown: without one (dbt run by hand, a second invocation),
`pipeline-dbt` runs dbt itself.

`pipeline-dbt --version`, which dagster-dbt runs before every invocation to learn dbt's version, is
answered here, in dbt's own format, from the dbt-core installed beside it: `dbt --version` would start
dbt (and ask PyPI for the latest release), 1.5 s or more of every refresh.
"""

import atexit
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from pipeline.paths import package_environment

PR_SET_PDEATHSIG = 1
WARM_ENV = "PIPELINE_DBT_WARM"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
IDLE_SECONDS = 3600  # a warm process no dbt invocation came for (the run failed before dbt) exits


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from importlib.metadata import version

        print(f"Core:\n  - installed: {version('dbt-core')}")
        return
    _die_with_parent()
    parent = os.environ.get("PIPELINE_REFRESH_PID")
    if parent and os.getppid() != int(parent):  # the refresh died before the line above took effect
        sys.exit(1)
    # the build warehouse's folder: the profile opens the warehouse by its file name (pipeline/paths.py)
    if build_dir := os.environ.get("PIPELINE_BUILD_DIR"):
        if "DBT_LOG_PATH" in os.environ:  # dagster-dbt's is relative to where dbt was started
            os.environ["DBT_LOG_PATH"] = os.path.abspath(os.environ["DBT_LOG_PATH"])
        os.chdir(build_dir)
    if warm := os.environ.get(WARM_ENV):
        code = _hand_over(warm)
        if code is not None:
            sys.exit(code)
    from dbt.cli.main import cli

    sys.exit(cli())


_warm: tuple[subprocess.Popen, str] | None = None


def start_warm() -> str:
    """Start a warm dbt process for this process's next dbt invocation, unless one no invocation took yet
    runs (run_refresh starts one before the definitions load); returns its socket, for PIPELINE_DBT_WARM."""
    global _warm
    if _warm is not None and _warm[0].poll() is None and os.path.isdir(os.path.dirname(_warm[1])):
        return _warm[1]  # its folder goes when an invocation takes it
    _discard_warm()
    path = str(Path(tempfile.mkdtemp(prefix="pipeline-dbt-")) / "socket")  # short: a socket path has 107 bytes
    _warm = (subprocess.Popen([sys.executable, "-m", "pipeline.runtime.dbt_child", "--serve", path], stdin=subprocess.DEVNULL,
                              env=package_environment(PIPELINE_REFRESH_PID=str(os.getpid()))), path)
    return path


@atexit.register
def _discard_warm() -> None:
    """Stop the warm process if no dbt invocation took it (the run failed before dbt), and remove its folder."""
    if _warm is not None:
        process, path = _warm
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def wait_warm(timeout: float = 60) -> None:
    """Wait for the warm process that ran dbt to end (it writes the build warehouse until then)."""
    if _warm is not None and _warm[0].poll() is None and not os.path.exists(_warm[1]):  # it took an invocation
        _warm[0].wait(timeout)


def warm_socket() -> str | None:
    """The socket of the warm dbt process this process started, if it still runs."""
    return _warm[1] if _warm is not None and _warm[0].poll() is None else None


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _hand_over(path: str) -> int | None:
    """dbt run by the warm process at path, with this process's arguments, environment, folder and
    streams: its exit status; None when there is no such process to take it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as conn:
        try:
            conn.connect(path)
        except OSError:  # gone, or serving another invocation: this one runs dbt itself
            return None
        request = json.dumps({"argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
        socket.send_fds(conn, [request], [0, 1, 2])
        pid = int(conn.recv(32))  # the warm process, now running dbt
        for sig in (signal.SIGINT, signal.SIGTERM):  # how dagster-dbt stops dbt
            signal.signal(sig, lambda number, _: os.kill(pid, number))
        status = conn.recv(32)
        return int(status) if status else 1  # no status: it died


def _serve(path: str) -> None:
    # a Ctrl-C or SIGTERM of the refresh's process group: the refresh stops this process (_discard_warm, or
    # PR_SET_PDEATHSIG when it dies), and until it hands this process dbt a stack trace here helps nobody
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    _die_with_parent()
    if os.getppid() != int(os.environ["PIPELINE_REFRESH_PID"]):
        return
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(1)
    from dbt.cli.main import cli  # what this process is for: the import, before dbt is asked for
    import dbt.adapters.duckdb  # noqa: F401  and what a build imports once it starts
    import dbt.task.build  # noqa: F401

    import pipeline.settings  # noqa: F401  what the salt plugin reads, imported before dbt is asked for too

    _skip_manifest_writes()
    _start_resource_tracker()
    _warm_up(os.path.dirname(path))
    listener.settimeout(IDLE_SECONDS)
    try:
        conn, _ = listener.accept()
    except TimeoutError:
        return
    finally:  # one invocation only: a later pipeline-dbt finds no socket and runs dbt itself
        listener.close()
        os.unlink(path)
        os.rmdir(os.path.dirname(path))
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    request = json.loads(message)
    for fd, stream in zip(fds, (0, 1, 2)):
        os.dup2(fd, stream)
        os.close(fd)
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.argv = request["argv"]
    conn.send(str(os.getpid()).encode())
    for sig in STOP_SIGNALS:  # dbt's now: it stops on them as it would anywhere
        signal.signal(sig, signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL)
    finished = threading.Event()
    threading.Thread(target=_stop_if_abandoned, args=(conn, finished), daemon=True).start()
    try:
        cli()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 0 if exit_.code is None else 1
    sys.stdout.flush()
    sys.stderr.flush()
    finished.set()
    conn.send(str(code).encode())
    # what an ordinary exit does first: the exit handlers (dbt-duckdb closes the build warehouse, checkpointed;
    # PySpark stops its JVM); then out, without Python freeing dbt's heap object by object (0.6 s)
    atexit._run_exitfuncs()
    os._exit(0)  # dbt's own status went to pipeline-dbt above


def _skip_manifest_writes() -> None:
    """dbt writes manifest.json and semantic_manifest.json (12 MB of JSON, half a second) into the target
    folder as a build starts and again as it ends. The refresh reads only run_results.json there
    (pipeline/runtime/dbt_build.py); the manifest everything else reads is the prebuilt one in
    dbt_project/target (make manifest). dbt has no flag for this alone: --no-write-json drops
    run_results.json too. Only this process's one invocation, a refresh's build, goes without them."""
    import dbt.parser.manifest
    import dbt.task.runnable

    def write_manifest(*_args, **_kwargs) -> None:
        pass

    dbt.parser.manifest.write_manifest = write_manifest
    dbt.task.runnable.write_manifest = write_manifest


def _start_resource_tracker() -> None:
    """dbt's locks start multiprocessing's resource tracker: a process that keeps the standard streams it was
    started with, and warns on them of "leaked semaphores" when this process is killed (a stopped refresh).
    Started here, before dbt's first lock, with /dev/null for them: neither the console of the refresh that
    started this process nor, later, the output of the invocation it serves (dagster-dbt reads that until
    every process holding it has closed it)."""
    from multiprocessing import resource_tracker

    null = os.open(os.devnull, os.O_RDWR)
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    try:
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        resource_tracker.ensure_running()
    finally:
        for fd, copy in zip((0, 1, 2), saved):
            os.dup2(copy, fd)
            os.close(copy)
        os.close(null)


def _warm_up(folder: str) -> None:
    """Parse the project once, into a scratch folder, and drop the result. The first parse in a process
    fills dbt's caches (chiefly the JSON schemas it checks the profile and project against): 0.7 s that the
    refresh's dbt step would otherwise wait for, spent here while the entities load. The build parses again
    for itself, so nothing here decides what it builds; a warm-up that fails costs only its time. The
    scratch folder is in `folder`, the socket's, which the refresh removes when it stops this process
    (_discard_warm): a refresh stopped during the warm-up leaves nothing behind."""
    from dbt.cli.main import dbtRunner

    from pipeline.column_lineage import MANIFEST
    from pipeline.paths import BUILD_DB_NAME, DBT_PROJECT_DIR
    from pipeline.runtime.environment import environment

    scratch = tempfile.mkdtemp(prefix="warm-up-", dir=folder)
    # as a refresh's build reads the profile (pipeline/runtime/dbt_build.py), so the prebuilt parse is reused
    try:
        with environment({"PIPELINE_BUILD_DB": BUILD_DB_NAME, "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR)}):
            dbtRunner().invoke(["parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
                                "--partial-parse-file-path", str(MANIFEST.with_name("partial_parse.msgpack")),
                                "--target-path", scratch, "--log-path", scratch, "--log-level", "none",
                                "--log-level-file", "none"])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _stop_if_abandoned(conn: socket.socket, finished: threading.Event) -> None:
    """pipeline-dbt gone (killed) before dbt ended: stop dbt, as its own death would have."""
    conn.recv(1)  # returns when the other end closes
    if not finished.is_set():
        os._exit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        _serve(sys.argv[2])
    else:
        main()
