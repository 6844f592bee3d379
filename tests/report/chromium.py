"""Open a page in Debian's headless Chromium (installed by `make browser`): the DOM after its
scripts ran, what it logged to the console, and a screenshot."""

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--virtual-time-budget=15000"]


@dataclass
class Rendered:
    dom: str
    console: list[str]  # every console message and uncaught error the page produced


def _run(page: Path, *extra: str) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
                              capture_output=True, text=True, timeout=180, check=True)


def render(page: Path) -> Rendered:
    done = _run(page, "--enable-logging=stderr", "--v=0", "--dump-dom")
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    return Rendered(done.stdout, console)


def screenshot(page: Path, png: Path, width: int = 1400, height: int = 2000) -> Path:
    png.parent.mkdir(parents=True, exist_ok=True)
    _run(page, f"--window-size={width},{height}", f"--screenshot={png.resolve()}")
    return png
