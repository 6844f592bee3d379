"""Notices (pipeline/notices/, README "Notices") on real refreshes of the gate's two-LA extract
(tests/quality/extracts.py, the shared first publication), delivered to a real SMTP server (aiosmtpd,
STARTTLS with a certificate of its own, and a login) and a real HTTP server on loopback.

One scenario, in the order a hub would live it:
1. the SMTP server is down; the webhook server is up. A refresh where X2's referrals carry unknown codes
   (X2 held back) and the Postgres URL points at a closed port (the push fails); both extracts are years
   old (overdue). The refresh publishes anyway: a delivery that fails breaks nothing.
2. the SMTP server is up. A run that fails at its first step (its suites folder is missing): the hub is
   told, and the emails of step 1 arrive now, once. The daemon's failed-run sensor looks at that run (the
   step told the hub already) and at one whose process was killed (no step failed: the sensor tells the hub).
3. `pipeline refresh` on an unchanged inbox: nothing runs, the overdue LAs are not told again. Two folders
   of files without a manifest have come: X3 (a configured LA) and `stray` (nobody's); twice, to see them told once.
"""

import email
import email.policy
import json
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pipeline import notices
from pipeline.defs.refresh import outcome, refresh, run_refresh
from pipeline.notices.ledger import ledger_path
from tests.quality.extracts import BASE, LAS, REFERRALS, write_base

SMTP_USER, SMTP_PASSWORD = "pipeline@hub.example", "smtp-Pa55word-never-shown"
SALT = "salt-of-the-test-never-shown"
PG_PASSWORD = "pg-Pa55word-never-shown"
# every identifier the extract holds: child, referral, contact, assessment, plan and episode IDs
IDS = sorted({v for rows in BASE.values() for row in rows for k, v in row.items() if k.endswith("_id")})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server on loopback that takes mail only after STARTTLS and a login; started on demand."""

    def __init__(self, root: Path):
        self.port, self.messages = _free_port(), []
        self.cert = root / "smtp-cert.pem"
        key = root / "smtp-key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(self.cert)],
                       check=True, capture_output=True)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.cert, key)
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, tls_context=tls, require_starttls=True,
                                     auth_required=True, authenticator=self._login)

    @staticmethod
    def _login(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(), SMTP_PASSWORD.encode())
        return AuthResult(success=ok)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[str]:
        return [text(m) for m in self.messages if m["To"] == address]


def text(message) -> str:
    """Subject and body as the recipient reads them (decoded: the wire form may be quoted-printable)."""
    return f"{str(message['Subject']).strip()}\n{message.get_content()}".replace("\r\n", "\n")


class Webhooks(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body)))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"1")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def scenario(first_publication_source, tmp_path_factory):
    root = tmp_path_factory.mktemp("notices")
    inbox, warehouse = root / "inbox", root / "warehouse.duckdb"
    shutil.copytree(first_publication_source / "inbox", inbox)
    shutil.copy(first_publication_source / "warehouse.duckdb", warehouse)
    mailbox = Mailbox(root)
    hooks = ThreadingHTTPServer(("127.0.0.1", 0), Webhooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    web = f"http://127.0.0.1:{hooks.server_port}"
    config = root / "notices.yml"
    config.write_text(f"""
smtp: {{host: 127.0.0.1, port: {mailbox.port}, username: {SMTP_USER}, sender: {SMTP_USER}, ca_file: {mailbox.cert},
       timeout_seconds: 5}}
ui_url: https://dagster.hub.example/
hub: {{email: [engineer@hub.example], webhooks: ["{web}/hub"]}}
las:
  X1: {{email: [data@x1.example]}}
  X2: {{email: [data@x2.example, lead@x2.example], webhooks: ["{web}/x2"]}}
  X3: {{email: [data@x3.example]}}
""")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PIPELINE_NOTICES", str(config))
        env.setenv("PIPELINE_SMTP_PASSWORD", SMTP_PASSWORD)
        env.setenv("PIPELINE_PSEUDONYM_SALT", SALT)
        # 1. the mail server is down
        bad = [dict(r, referral_source="ZZ") if i < 2 else r for i, r in enumerate(REFERRALS)]
        write_base(inbox, extract_date="2024-04-30", X2={"referrals": bad})
        closed = f"postgresql://postgres:{PG_PASSWORD}@127.0.0.1:{_free_port()}/postgres"
        first = run_refresh(inbox, warehouse, postgres_url=closed)
        after_first = {"webhooks": list(Webhooks.received), "mail": list(mailbox.messages),
                       "pending": _pending(warehouse)}
        # 2. the mail server is up; a run fails at its first step
        mailbox.controller.start()
        try:
            # its error names the missing folder, whose name holds a secret: as an error may echo one. Recorded
            # in a Dagster instance of its own, where the daemon's failed-run sensor then looks at it
            env.setenv("DAGSTER_HOME", str(root / "dagster_home"))
            failed = run_refresh(inbox, warehouse, la_codes=["X1"],
                                 expectations_dir=str(root / f"no-suites-{SMTP_PASSWORD}"))
            died = _failed_run_sensor(inbox, warehouse, failed.run_ids[0])
            env.delenv("DAGSTER_HOME")
            # 3. nothing changed: nothing runs, the overdue LAs are not told again; the folders without a
            # manifest are told once, however many refreshes see them
            for folder in ("X3", "stray"):
                (inbox / folder).mkdir()
                shutil.copy(inbox / "X1" / "referrals.csv", inbox / folder / "referrals.csv")
            idle = refresh(inbox, warehouse, say=lambda line: None)
            refresh(inbox, warehouse, say=lambda line: None)
        finally:
            mailbox.controller.stop()
            hooks.shutdown()
    yield {"first": first, "published": outcome(first, warehouse), "after_first": after_first, "failed": failed,
           "died": died, "idle": idle, "mailbox": mailbox, "webhooks": list(Webhooks.received), "warehouse": warehouse,
           "web": web}


def _failed_run_sensor(inbox: Path, warehouse: Path, failed_step_run: str) -> str:
    """The failed-run sensor, as the daemon evaluates it, on the run whose step failed (the hook told the
    hub already) and on a run that fails outside any step (its process killed); the latter's id."""
    import dagster as dg

    from pipeline.defs.definitions import build_definitions
    from pipeline.defs.sensors import failed_run_notice

    defs = build_definitions(inbox, warehouse)
    with dg.DagsterInstance.get() as instance:
        died = instance.create_run_for_job(job_def=defs.resolve_job_def("full_refresh"))
        instance.report_run_failed(died, message="run worker exited unexpectedly: killed by signal 9")
        for run_id in (failed_step_run, died.run_id):
            [record] = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
            failed_run_notice(dg.build_run_status_sensor_context(
                sensor_name="failed_run_notice", dagster_event=record.event_log_entry.dagster_event,
                dagster_instance=instance, dagster_run=instance.get_run_by_id(run_id),
                resources={"settings": defs.resources["settings"]}, repository_def=defs.get_repository_def()))
    return died.run_id


def _pending(warehouse: Path) -> list[tuple]:
    with sqlite3.connect(ledger_path(warehouse)) as con:
        return con.execute("select key, channel, address, attempts, last_error from notices where sent_at is null "
                           "order by key, address").fetchall()


def _webhook(scenario, path: str) -> list[str]:
    return [body["text"] for p, body in scenario["webhooks"] if p == path]


def test_a_delivery_that_fails_breaks_nothing_and_is_delivered_once_on_the_next_run(scenario):
    done = scenario["published"]
    assert done.published and [(la.la_code, la.status) for la in done.las] == [("X1", "published"), ("X2", "held_back")]
    assert [step for step, _ in done.failed_steps] == ["postgres_published"]  # the push, not the notices
    first = scenario["after_first"]
    assert first["mail"] == [] and len(first["webhooks"]) > 0  # the webhooks went; the emails wait
    assert {(channel, address) for _, channel, address, _, _ in first["pending"]} == {
        ("email", a) for a in ["engineer@hub.example", "data@x1.example", "data@x2.example", "lead@x2.example"]}
    # each address was tried (and refused) at least once; a notice behind a refused one waits its turn
    assert {address for _, _, address, attempts, error in first["pending"]
            if attempts and "ConnectionRefusedError" in error} == {address for _, _, address, *_ in first["pending"]}
    assert _pending(scenario["warehouse"]) == []  # all delivered by run 2
    # a webhook's URL is its secret (whoever has it can post): the ledger knows it by its host and a hash
    assert scenario["web"].encode() not in ledger_path(scenario["warehouse"]).read_bytes()
    subjects = [m["Subject"] for m in scenario["mailbox"].messages]
    assert len(subjects) == len(set(zip(subjects, [m["To"] for m in scenario["mailbox"].messages])))  # none twice


def test_the_held_back_las_recipients_get_the_findings_without_a_value(scenario):
    for address in ["data@x2.example", "lead@x2.example"]:
        [held] = [m for m in scenario["mailbox"].to(address) if "held back" in m.splitlines()[0]]
        assert held.splitlines()[0].endswith("X2: extract of 2024-04-30 held back")
        assert "Reason: referrals: quarantine_share failed: 2 of 4 rows quarantined" in held
        assert "  referrals.csv: 4 rows supplied, 2 loaded, 2 quarantined" in held
        assert "QUARANTINED 2 row(s) by rule unknown_code: row(s) 2, 3; column(s) referral_source" in held
        assert "ZZ" not in held  # the supplied value `pipeline validate` shows
    [hook] = [t for t in _webhook(scenario, "/x2") if "held back" in t.splitlines()[0]]
    assert "rule unknown_code: row(s) 2, 3" in hook
    assert not any("held back" in m for m in scenario["mailbox"].to("data@x1.example"))  # X1 published
    assert not any("held back" in m for m in scenario["mailbox"].to("engineer@hub.example"))


def test_the_hub_is_told_of_the_failed_push_and_the_failed_runs(scenario):
    run_ids = [scenario["first"].run_ids[0], scenario["failed"].run_ids[0], scenario["died"]]
    mails = [m for m in scenario["mailbox"].to("engineer@hub.example")
             if "no extract since" not in m and "without a manifest" not in m]
    push, run, died = sorted(mails, key=lambda m: ("postgres_published" not in m, run_ids[2] in m))
    assert "the Postgres push failed" in push.splitlines()[0]
    assert f"Run: {run_ids[0]}\nFailed step: postgres_published\nIn the UI: https://dagster.hub.example/runs/{run_ids[0]}" in push
    assert "Connection refused" in push and "pipeline push" in push
    # the step's hook told the hub; the sensor, seeing a failed step, did not tell it again
    assert "the refresh failed at step raw_entities" in run.splitlines()[0]
    assert f"Run: {run_ids[1]}\nFailed step: raw_entities" in run and "no-suites-***" in run
    assert "the refresh run failed" in died.splitlines()[0]
    assert f"Run: {run_ids[2]}\nFailed step: none (the run itself failed" in died and "killed by signal 9" in died
    assert [t.splitlines()[0] for t in _webhook(scenario, "/hub") if "failed" in t.splitlines()[0]] == [
        push.splitlines()[0], run.splitlines()[0], died.splitlines()[0]]
    assert not any("failed" in m.splitlines()[0] for a in ["data@x1.example", "data@x2.example"]
                   for m in scenario["mailbox"].to(a))


def test_an_overdue_la_is_told_once_per_period_and_fails_its_check(scenario):
    overdue = [e for e in scenario["first"].get_asset_check_evaluations() if e.check_name == "extract_overdue"]
    [check] = [e for e in overdue if e.partition is None]
    assert not check.passed and check.metadata["overdue"].value == ["X1", "X2"]
    # and on each LA's partition, which the UI's partition view shows
    days = {o.la_code: o.days for o in notices.overdue_las(scenario["warehouse"])}
    assert {e.partition: (e.passed, e.metadata["days_since"].value) for e in overdue if e.partition} == {
        la: (False, days[la]) for la in ("X1", "X2")}
    assert scenario["idle"].run_ids == []  # 3. ran nothing, told nobody again
    for la, address in [("X1", "data@x1.example"), ("X2", "data@x2.example")]:
        [told] = [m for m in scenario["mailbox"].to(address) if "no extract since" in m.splitlines()[0]]
        assert f"{la}: no extract since 2024-04-30" in told and "every 35 days" in told
    hub = [m.splitlines()[0] for m in scenario["mailbox"].to("engineer@hub.example") if "no extract since" in m]
    assert sorted(hub) == sorted(f"[children's social care warehouse] {la}: no extract since 2024-04-30" for la in LAS)


def test_a_folder_without_a_manifest_is_told_once_to_its_la_else_to_the_hub(scenario):
    """No run starts for such a folder, so no held-back notice would say it: its LA's data team is told
    when the folder is named after a configured LA, else the hub; and `refresh` exits 1 (a person must act)."""
    idle = scenario["idle"]
    assert (idle.run_ids, idle.unread, idle.exit_code) == ([], ["X3", "stray"], 1)
    [x3] = scenario["mailbox"].to("data@x3.example")
    assert x3.splitlines()[0] == ("[children's social care warehouse] inbox folder X3: files without a manifest, "
                                  "not read")
    assert "X3: the folder has files but no manifest.yml, so it is not read as an LA extract" in x3
    hub = [m for m in scenario["mailbox"].to("engineer@hub.example") if "without a manifest" in m]
    assert [m.splitlines()[0] for m in hub] == [
        "[children's social care warehouse] inbox folder stray: files without a manifest, not read"]


def test_the_overdue_periods(scenario):
    from datetime import date

    warehouse = scenario["warehouse"]
    assert notices.overdue_las(warehouse, date(2024, 6, 4)) == []  # 35 days after 2024-04-30
    [x1, _] = notices.overdue_las(warehouse, date(2024, 6, 5))
    assert (x1.la_code, x1.days, x1.cadence, x1.period) == ("X1", 36, 35, 1)
    assert notices.overdue_las(warehouse, date(2024, 7, 8))[0].period == 1  # the same period: no new notice
    assert notices.overdue_las(warehouse, date(2024, 7, 9))[0].period == 2  # 70 days: told again


def test_no_message_carries_an_id_the_salt_or_a_password(scenario):
    texts = [text(m) for m in scenario["mailbox"].messages] + [json.dumps(b) for _, b in scenario["webhooks"]]
    assert len(texts) >= 10
    for notice in texts:
        for secret in (SALT, SMTP_PASSWORD, PG_PASSWORD):
            assert secret not in notice
        found = [i for i in IDS if re.search(rf"\b{re.escape(i)}\b", notice)]
        assert found == [], f"identifiers {found} in a notice"


def test_a_notice_configuration_that_does_not_load_stops_the_refresh_naming_file_and_key(tmp_path, monkeypatch, capsys):
    from pipeline.cli import main
    from tests.inbox_builder import write_la

    config = tmp_path / "notices.yml"
    config.write_text("hub: {email: [engineer@hub.example], emails: [typo@hub.example]}\n"
                      "las: {X1: {email: [not-an-address]}}\n")
    monkeypatch.setenv("PIPELINE_NOTICES", str(config))
    write_la(tmp_path / "inbox", "X1", {})
    assert main(["refresh", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {config}: ")
    assert "hub.emails: unknown key" in err and "las.X1.email: " in err and "'not-an-address' is not an email address" in err
    assert list(tmp_path.glob("w*")) == []  # nothing ran
    monkeypatch.setenv("PIPELINE_NOTICES", str(tmp_path / "missing.yml"))
    assert main(["refresh", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    assert f"PIPELINE_NOTICES={tmp_path / 'missing.yml'}: no such file" in capsys.readouterr().err


def test_the_setting_in_force_is_the_la_s_own_row_from_its_date_else_the_star_row(tmp_path):
    from datetime import date

    from pipeline.specs.settings import value_in_force

    seed = tmp_path / "la_settings.csv"
    seed.write_text("la_code,setting,value,valid_from,source\n*,extract_cadence_days,35,,default\n"
                    "E1,extract_cadence_days,100,2024-04-01,quarterly from April\n")
    assert value_in_force(seed, "E1", "extract_cadence_days", date(2024, 3, 31)) == "35"
    assert value_in_force(seed, "E1", "extract_cadence_days", date(2024, 4, 1)) == "100"
    assert value_in_force(seed, "E2", "extract_cadence_days", date(2024, 4, 1)) == "35"
