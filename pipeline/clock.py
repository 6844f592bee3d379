"""Today's date, as the pipeline judges it: in Europe/London, the nightly schedule's zone, whatever
the server's zone. A server in a US zone would otherwise think an LA's extract dated London's today is
in the future and hold it back at the 02:00 nightly. Every "today" in the pipeline comes from here.
"""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

ZONE_NAME = "Europe/London"  # the schedule's execution_timezone (pipeline/defs/schedules.py)
ZONE = ZoneInfo(ZONE_NAME)


def today(now: datetime | None = None) -> date:
    """The date in London at `now` (an aware datetime; default: this moment)."""
    return (now or datetime.now(timezone.utc)).astimezone(ZONE).date()
