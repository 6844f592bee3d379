"""Notices to the people who must act (README "Notices"): an LA's data team when the gate held its
extract back or its next extract is overdue; the hub's engineers when a run or the Postgres push failed.

Who receives what is the YAML file PIPELINE_NOTICES names (config.py); unset, nothing is sent. Each
notice is queued in the delivery ledger (ledger.py) once, then delivered by email or webhook
(channels.py); one that cannot be delivered now is logged and tried again by the next run. Nothing here
ever fails a refresh: every entry point logs what went wrong and returns.

The Dagster definitions call this library (pipeline/defs/assets/publish.py, jobs.py, checks/overdue.py)
and the CLI's refresh (pipeline/defs/refresh.py); it never imports them.

No notice carries a child-level value or an identifier: the findings are `pipeline validate`'s summary
without the supplied values (pipeline.quality.findings), and every error text is scrubbed of the
Postgres password, the pseudonym salt and the SMTP password (scrub)."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import wraps
from pathlib import Path

from pipeline import clock
from pipeline.notices.channels import post_webhook, send_email
from pipeline.notices.config import NoticeConfig, Recipients, load_config, webhook_ref
from pipeline.notices.ledger import ledger, mark, pending, queue
from pipeline.paths import SEEDS_DIR
from pipeline.redact import MASK, redact
from pipeline.settings import settings
from pipeline.specs.base import SpecError

log = logging.getLogger("pipeline.notices")
ERROR_LINES = 10  # of a failed step's error, in the hub's notice
PREFIX = "[children's social care warehouse]"


def config() -> NoticeConfig | None:
    """The notice configuration PIPELINE_NOTICES names; None when it is unset. SpecError when the file is
    missing or does not say what NoticeConfig expects (naming the file and the key)."""
    path = settings().notices
    if path is None:
        return None
    if not path.is_file():
        raise SpecError(f"PIPELINE_NOTICES={path}: no such file (the notice configuration, deploy/notices.example.yml)")
    return load_config(path)


def _never_fails(action: Callable) -> Callable:
    """A notice must never fail a refresh: what goes wrong is logged, scrubbed of secrets."""
    @wraps(action)
    def guarded(*args, **kwargs):
        try:
            return action(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 (logged: the refresh goes on)
            log.error("notices: %s failed: %s", action.__name__, scrub(f"{exc.__class__.__name__}: {exc}"))
            return None
    return guarded


def scrub(text: str, postgres_url: str | None = None) -> str:
    """`text` without the Postgres password (pipeline.redact) or the salt or SMTP password, however written."""
    env = settings()
    url = postgres_url or (env.postgres_url.get_secret_value() if env.postgres_url else None)
    text = redact(text, url)
    for secret in (env.pseudonym_salt, env.smtp_password):
        if secret and secret.get_secret_value():
            text = text.replace(secret.get_secret_value(), MASK)
    return text


def _addresses(who: Recipients) -> list[tuple[str, str]]:
    return [("email", a) for a in who.email] + [("webhook", webhook_ref(u)) for u in who.webhooks]


@_never_fails
def held_back(warehouse: Path, build_db: Path, run_id: str, verdicts) -> None:
    """Each LA the gate held back (verdicts: pipeline.publish.LaVerdict): its recipients get the extract
    date, the reason and the findings summary, read from the run's build warehouse."""
    import duckdb

    from pipeline.quality.findings import print_findings

    cfg = config()
    held = [v for v in verdicts if v.status != "published" and cfg and _addresses(cfg.of_la(v.la_code))]
    if not held:
        return
    with duckdb.connect(str(build_db), read_only=True) as con, ledger(warehouse) as db:
        for v in held:
            lines: list[str] = []
            print_findings(con, v.la_code, say=lines.append, values=False)
            body = (f"{v.la_code}'s extract of {v.extract_date or '(no date)'} was held back by the quality gate: its "
                    "figures were not published, and its last good publication stands.\n\n"
                    f"Reason: {v.reason}\nRun: {run_id}\n\n"
                    "What the checks found (pipeline validate's summary; the row numbers are those of your files):\n"
                    + "\n".join(lines) + "\n\nCorrect the files and send the extract again.")
            queue(db, f"held_back|{v.la_code}|{run_id}", _addresses(cfg.of_la(v.la_code)),
                  f"{PREFIX} {v.la_code}: extract of {v.extract_date} held back", scrub(body))
    deliver(warehouse)


@_never_fails
def step_failed(warehouse: Path, run_id: str, step: str, error: str, postgres_url: str | None = None) -> None:
    """The hub's recipients: a run's step failed (the Postgres push is the step postgres_published), or the
    run failed outside any step (`step` empty)."""
    cfg = config()
    if not cfg or not _addresses(cfg.hub):
        return
    what = ("the Postgres push failed" if step == "postgres_published" else
            f"the refresh failed at step {step}" if step else "the refresh run failed")
    step = step or "none (the run itself failed: its process died, or run monitoring stopped it)"
    lines = scrub(error, postgres_url).strip().splitlines()
    body = (f"Run: {run_id}\nFailed step: {step}\n"
            + (f"In the UI: {cfg.ui_url.rstrip('/')}/runs/{run_id}\n" if cfg.ui_url else "")
            + f"\nError (first {ERROR_LINES} lines):\n" + "\n".join(lines[:ERROR_LINES])
            + ("\n..." if len(lines) > ERROR_LINES else ""))
    if step == "postgres_published":
        body += "\n\nThe DuckDB warehouse was published; run `pipeline push` once Postgres is back."
    with ledger(warehouse) as db:
        queue(db, f"failed|{run_id}|{step}", _addresses(cfg.hub), f"{PREFIX} run {run_id[:8]}: {what}", body)
    deliver(warehouse)


@_never_fails
def unread_folders(warehouse: Path, inbox: Path, notes: list | None = None) -> None:
    """Each inbox folder whose files are not read because it has no manifest (inbox.inbox_notes, severity
    error): no run starts for it, so no held-back notice would tell anyone. Its LA's recipients are told when
    the folder is named after a configured LA (their extract, sent without its manifest), else the hub's
    (nobody else knows whose it is); once per state of the folder, not every night. `notes`: the inbox's,
    when the caller has them (the inbox is looked through only if notices are configured)."""
    from pipeline.load.inbox import inbox_notes
    from pipeline.state import folder_fingerprint

    cfg = config()
    if not cfg:
        return
    with ledger(warehouse) as db:
        for note in (n for n in (inbox_notes(inbox) if notes is None else notes) if n.severity == "error"):
            who = _addresses(cfg.of_la(note.folder)) or _addresses(cfg.hub)
            body = (f"{note.message}\n\nNo refresh runs for the folder until it holds a manifest.yml; an LA's last "
                    "good publication stands meanwhile.")
            queue(db, f"unread|{note.folder}|{folder_fingerprint(inbox / note.folder)}", who,
                  f"{PREFIX} inbox folder {note.folder}: files without a manifest, not read", body)
    deliver(warehouse)


@dataclass(frozen=True)
class Overdue:
    la_code: str
    extract_date: date  # its latest extract
    days: int  # since then
    cadence: int  # extract_cadence_days in force for it

    @property
    def period(self) -> int:
        """Which overdue period: 1 from cadence days after the extract, 2 from twice that, ..."""
        return self.days // self.cadence


def overdue_las(warehouse: Path, today: date | None = None) -> list[Overdue]:
    """The LAs of the warehouse (not withdrawn since) whose latest extract date, held back or published, is
    more than their extract_cadence_days (seeds/la_settings.csv) before today."""
    import duckdb

    from pipeline.specs.settings import value_in_force

    today = today or clock.today()
    if not warehouse.exists():
        return []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        # published.publications only: the audit tables may move out of the published file
        latest = con.execute("""select la_code, max(extract_date) from published.publications group by la_code
                                having arg_max(status, started_at) <> 'withdrawn' and max(extract_date) is not null
                                order by la_code""").fetchall()
    found = []
    for la, extract in latest:
        cadence = int(value_in_force(SEEDS_DIR / "la_settings.csv", la, "extract_cadence_days", today))
        if (today - extract).days > cadence:
            found.append(Overdue(la, extract, (today - extract).days, cadence))
    return found


@_never_fails
def report_overdue(warehouse: Path, overdue: list[Overdue] | None = None) -> None:
    """Each overdue LA (None: overdue_las now), to its recipients and the hub's: once per overdue period,
    not every night; then every notice not yet delivered."""
    cfg = config()
    overdue = overdue_las(warehouse) if overdue is None and cfg else overdue or []
    if cfg:
        with ledger(warehouse) as db:
            for o in overdue:
                body = (f"{o.la_code}'s latest extract is of {o.extract_date}, {o.days} days ago; one is expected every "
                        f"{o.cadence} days (extract_cadence_days). Its published figures stay those of that extract "
                        "until a new one arrives in the inbox.")
                queue(db, f"overdue|{o.la_code}|{o.extract_date}|{o.period}",
                      list(dict.fromkeys(_addresses(cfg.of_la(o.la_code)) + _addresses(cfg.hub))),
                      f"{PREFIX} {o.la_code}: no extract since {o.extract_date}", body)
    deliver(warehouse)


@_never_fails
def deliver(warehouse: Path) -> None:
    """Every notice not yet delivered, tried now. One that fails is logged and stays pending for the next
    run; an address that failed is not tried again in the same pass (a server that is down once is down)."""
    cfg = config()
    if not cfg:
        return
    password = settings().smtp_password
    down: set[tuple[str, str]] = set()
    webhooks = cfg.webhooks()
    with ledger(warehouse) as db:
        for p in pending(db):
            where = (p.channel, p.address if p.channel == "email" else p.address.split(" ")[0])
            if where in down:
                continue
            try:
                if p.channel == "email":
                    send_email(cfg.smtp, password.get_secret_value() if password else None, p.address, p.subject,
                               p.body)
                elif p.address not in webhooks:  # taken out of the configuration since it was queued
                    raise LookupError("no webhook of the notice configuration is this one now")
                else:
                    post_webhook(webhooks[p.address], p.subject, p.body, cfg.webhook_timeout_seconds)
            except Exception as exc:  # noqa: BLE001 (any failure: kept for the next run)
                error = scrub(f"{exc.__class__.__name__}: {exc}")
                mark(db, p, error)
                down.add(where)
                # a webhook's URL is its secret: the log names its host only
                log.warning("notices: %s to %s %s not delivered (%s); it is tried again on the next run",
                            p.key, p.channel, where[1], error)
            else:
                mark(db, p, None)
