""""Today" is London's date (pipeline/clock.py), whatever the server's time zone: a server in a US
zone must not think an extract dated London's today is in the future (issue 28)."""

import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline import clock
from pipeline.paths import PROJECT_DIR

# twelve hours behind and fourteen ahead of UTC: at any moment one of them has another date than London
FAR_ZONES = ("Etc/GMT+12", "Etc/GMT-14")


def test_today_is_londons_date_at_a_given_moment():
    # 00:30 UTC on 1 June is 01:30 in London (summer time) and still 31 May in Los Angeles
    moment = datetime(2026, 6, 1, 0, 30, tzinfo=timezone.utc)
    assert moment.astimezone(ZoneInfo("America/Los_Angeles")).date() == date(2026, 5, 31)
    assert clock.today(moment) == date(2026, 6, 1)
    # 23:30 UTC on 31 December is still that day in London (winter) though 1 January in Sydney
    assert clock.today(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == date(2026, 12, 31)


def _manifest_problems(inbox: Path, zone: str) -> list[str]:
    """read_manifest's problems for X1, in a process whose local time zone is `zone`."""
    code = ("import json, sys; from pathlib import Path; from pipeline.load.inbox import read_manifest; "
            "print(json.dumps(read_manifest(Path(sys.argv[1])).problems))")
    done = subprocess.run([sys.executable, "-c", code, str(inbox / "X1")], capture_output=True, text=True,
                          cwd=PROJECT_DIR, env={**os.environ, "TZ": zone}, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_an_extract_dated_londons_today_is_not_in_the_future_on_a_server_in_another_zone(inbox):
    london = clock.today()
    zone = next(z for z in FAR_ZONES if datetime.now(ZoneInfo(z)).date() != london)
    folder = inbox / "X1"
    folder.mkdir()
    manifest = folder / "manifest.yml"
    manifest.write_text(f"la_code: X1\nla_name: Test\nextract_date: {london.isoformat()}\n")
    assert _manifest_problems(inbox, zone) == []
    # the day after London's today is in the future, and the message says which day is today, where
    manifest.write_text(f"la_code: X1\nla_name: Test\nextract_date: {(london + timedelta(days=1)).isoformat()}\n")
    assert _manifest_problems(inbox, zone) == [
        f"X1/manifest.yml: extract_date {london + timedelta(days=1)} is in the future (today in Europe/London is "
        f"{london}): a typo? (rule manifest_invalid)"]
