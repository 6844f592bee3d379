"""The production instance (deploy/dagster.yaml, README "Running it in production") end to end: a real
`dagster-daemon` and `dagster-webserver` on an instance whose storage is a database of the throwaway
Postgres cluster (tests/postgres/conftest.py), the repo's workspace.yaml, and the app's settings
(PIPELINE_INBOX, PIPELINE_WAREHOUSE, PIPELINE_POSTGRES_URL) pointing at temp paths and a second
database, as the systemd units give them from the environment file. An extract dropped into the inbox
is picked up by the inbox sensor; the run's events land in Postgres, the LA is published into the
warehouse file and the published database, and the webserver's GraphQL endpoint, asked over HTTP,
reports the run and the LA's partition of every partitioned asset as materialised.

Also checked without the services: the environment file template names every setting the app reads
and the variables dagster.yaml reads; the instance's configuration as Dagster loads it; the systemd
units start the venv's binaries on the repo's workspace, from the environment file, as a user that is
not root, and systemd-analyze accepts them."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import adbc_driver_postgresql.dbapi as pg
import dagster as dg
import duckdb
import pytest
from dagster import DagsterEventType
from dagster._core.definitions.run_request import InstigatorType  # no public name in 1.13

from pipeline.generate import generate_inbox
from pipeline.paths import PROJECT_DIR
from pipeline.settings import VARIABLES
from tests.instance_events import store_counting_connections

DEPLOY = PROJECT_DIR / "deploy"
BIN = Path(sys.executable).parent
# the variables deploy/dagster.yaml reads through `env:` (Dagster reads them, not pipeline/settings.py)
INSTANCE_VARIABLES = re.findall(r"^\s*env: ([A-Z][A-Z0-9_]+)\s*$", (DEPLOY / "dagster.yaml").read_text(), flags=re.M)
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}
RUN_START, RUN_SUCCESS, ASSET_MATERIALIZATION = (DagsterEventType.RUN_START, DagsterEventType.RUN_SUCCESS,
                                                 DagsterEventType.ASSET_MATERIALIZATION)

RUNS = """{ runsOrError { __typename ... on Runs { results { runId status jobName
            tags { key value } } } ... on PythonError { message } } }"""
PARTITIONS = """{ assetNodes { assetKey { path } isPartitioned
                  assetPartitionStatuses { __typename ... on DefaultPartitionStatuses {
                    materializedPartitions failedPartitions unmaterializedPartitions materializingPartitions } } } }"""


def template_variables(text: str) -> list[str]:
    """The variables the environment file template sets, commented out or not (`# NAME=...` or `NAME=...`)."""
    return re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.M)


def test_the_environment_template_names_every_setting_and_holds_no_secret():
    text = (DEPLOY / "pipeline.env.example").read_text()
    named = template_variables(text)
    assert sorted(INSTANCE_VARIABLES) == ["DAGSTER_PG_DB", "DAGSTER_PG_HOST", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_PORT",
                                          "DAGSTER_PG_USERNAME"]
    assert set(VARIABLES) | set(INSTANCE_VARIABLES) <= set(named), "missing from deploy/pipeline.env.example"
    assert len(named) == len(set(named)), "set twice"
    # secrets are placeholders: no password in a URL but the placeholder, and no salt value
    for line in text.splitlines():
        if "://" in line and "@" in line:
            assert re.search(r"://[^:/@]+:CHANGE_ME@", line), line
    assert re.search(r"^PIPELINE_PSEUDONYM_SALT=$", text, flags=re.M) and re.search(r"^DAGSTER_PG_PASSWORD=$", text, flags=re.M)


def test_the_template_check_sees_a_missing_setting():
    text = (DEPLOY / "pipeline.env.example").read_text()
    dropped = re.sub(r"^#? ?PIPELINE_WAREHOUSE=.*\n", "", text, flags=re.M)
    assert "PIPELINE_WAREHOUSE" in template_variables(text) and "PIPELINE_WAREHOUSE" not in template_variables(dropped)


@pytest.mark.parametrize("unit, binary", [("dagster-daemon.service", "dagster-daemon"),
                                          ("dagster-webserver.service", "dagster-webserver")])
def test_the_systemd_units_start_the_venvs_binaries_from_the_environment_file(unit, binary):
    text = (DEPLOY / unit).read_text()
    keys = dict(re.findall(r"^(\w+)=(.*)$", text, flags=re.M))
    assert keys["EnvironmentFile"].endswith("pipeline.env")
    assert keys["User"] and keys["User"] != "root"
    start = keys["ExecStart"].split()
    assert start[0] == f"{keys['WorkingDirectory']}/.venv/bin/{binary}" and (BIN / binary).exists()
    assert start[start.index("-w") + 1] == "workspace.yaml" and (PROJECT_DIR / "workspace.yaml").exists()
    assert keys["Restart"] in {"always", "on-failure"}
    if binary == "dagster-webserver":  # the UI answers on loopback unless the operator opens it up
        assert start[start.index("-h") + 1] == "127.0.0.1"


# a password Dagster has to percent-encode in the URL it builds (the cluster trusts loopback, so only the
# encoding is tested, not the password's check)
PASSWORD = "p@ss:w/rd%20 #"


@pytest.fixture
def dagster_database(postgres_url):
    """A database and role of their own on the throwaway cluster for Dagster's instance, as in production:
    the DAGSTER_PG_* variables of deploy/dagster.yaml, and the owner's URL to read it back."""
    with pg.connect(postgres_url, autocommit=True) as con, con.cursor() as cur:
        cur.execute("drop database if exists dagster_instance")
        cur.execute("drop role if exists dagster")
        cur.execute(f"create role dagster login password '{PASSWORD}'")
        cur.execute("create database dagster_instance owner dagster")
    host, port = postgres_url.split("@", 1)[1].split("/", 1)[0].split(":")
    yield {"DAGSTER_PG_HOST": host, "DAGSTER_PG_PORT": port, "DAGSTER_PG_DB": "dagster_instance",
           "DAGSTER_PG_USERNAME": "dagster", "DAGSTER_PG_PASSWORD": PASSWORD,
           "url": postgres_url.rsplit("/", 1)[0] + "/dagster_instance"}
    with pg.connect(postgres_url, autocommit=True) as con, con.cursor() as cur:  # the cluster is shared
        cur.execute("drop database dagster_instance with (force)")
        cur.execute("drop role dagster")


@pytest.fixture
def published_database(postgres_url):
    """The database dashboards read (PIPELINE_POSTGRES_URL), apart from Dagster's."""
    with pg.connect(postgres_url, autocommit=True) as con, con.cursor() as cur:
        cur.execute("drop database if exists published_instance")
        cur.execute("create database published_instance")
    yield postgres_url.rsplit("/", 1)[0] + "/published_instance"
    with pg.connect(postgres_url, autocommit=True) as con, con.cursor() as cur:
        cur.execute("drop database published_instance with (force)")


def test_the_instance_stores_in_postgres_queues_one_run_monitors_runs_and_prunes_ticks(dagster_database, tmp_path,
                                                                                        monkeypatch):
    shutil.copy(DEPLOY / "dagster.yaml", tmp_path / "dagster.yaml")
    for name in INSTANCE_VARIABLES:
        monkeypatch.setenv(name, dagster_database[name])
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        storages = [instance.run_storage, instance.event_log_storage, instance.schedule_storage]
        assert [type(s).__name__ for s in storages] == ["KeptPostgresRunStorage", "KeptPostgresEventLogStorage",
                                                         "PostgresScheduleStorage"]
        # a run's events go over one kept connection (pipeline/runtime/dagster_storage.py); Dagster's own
        # storage opens a server session for each
        stored, opened = store_counting_connections(instance, "run-a", 100)
        assert stored == [f"event {i}" for i in range(100)]
        assert opened <= 2, f"{opened} Postgres connections opened for 100 events"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        assert instance.run_monitoring_enabled and 0 < instance.run_monitoring_max_runtime_seconds <= 24 * 3600
        sensor_ticks = instance.get_tick_retention_settings(InstigatorType.SENSOR)
        assert {status.value: days for status, days in sensor_ticks.items()} == {
            "SKIPPED": 7, "SUCCESS": 90, "FAILURE": 90, "STARTED": 90}
        assert all(days > 0 for days in instance.get_tick_retention_settings(InstigatorType.SCHEDULE).values())
        assert not instance.telemetry_enabled
        # its tables are in the database the variables name
        instance.add_dynamic_partitions("la", ["E06000001"])
    with pg.connect(dagster_database["url"]) as con, con.cursor() as cur:
        cur.execute("select partition from dynamic_partitions")
        assert cur.fetchall() == [("E06000001",)]
    # the README's upgrade step runs on this instance
    env = {**os.environ, **{name: dagster_database[name] for name in INSTANCE_VARIABLES}, "DAGSTER_HOME": str(tmp_path)}
    migrated = subprocess.run([str(BIN / "dagster"), "instance", "migrate"], cwd=PROJECT_DIR, env=env,
                              capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-2000:]
    assert "Updating run storage" in migrated.stdout, migrated.stdout


def test_the_daemon_runs_a_dropped_extract_and_the_webserver_reports_it(tmp_path, dagster_database, published_database):
    home, inbox, staging = tmp_path / "dagster_home", tmp_path / "inbox", tmp_path / "staging"
    warehouse = tmp_path / "warehouse" / "warehouse.duckdb"
    home.mkdir()
    inbox.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", home / "dagster.yaml")
    (la,) = generate_inbox(staging, n_las=1, months=2)
    for item in staging.iterdir():  # the extract lands in the inbox
        shutil.move(str(item), inbox / item.name)
    instance_variables = {k: v for k, v in dagster_database.items() if k in INSTANCE_VARIABLES}
    env = {**os.environ, **instance_variables, "DAGSTER_HOME": str(home),
           "PIPELINE_INBOX": str(inbox), "PIPELINE_WAREHOUSE": str(warehouse), "PIPELINE_POSTGRES_URL": published_database}

    processes: list[subprocess.Popen] = []
    try:
        daemon = start(processes, tmp_path / "daemon.log", [str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env)
        webserver, url = start_webserver(processes, tmp_path / "webserver.log", env)
        run = wait_for_finished_run(url, processes, deadline=time.monotonic() + 600)
        assert run["status"] == "SUCCESS", tail(daemon.log)
        tags = {t["key"]: t["value"] for t in run["tags"]}
        assert tags["dagster/sensor_name"] == "inbox_sensor"
        assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (la, la)

        # the run's events are stored in the Postgres instance, and nothing in a SQLite file of DAGSTER_HOME
        with pg.connect(dagster_database["url"]) as con, con.cursor() as cur:
            cur.execute("select dagster_event_type, count(*) from event_logs where run_id = $1 group by 1",
                        parameters=(run["runId"],))
            events = dict(cur.fetchall())
            cur.execute("select count(*), sum(length(event)) from event_logs where run_id = $1", parameters=(run["runId"],))
            print("event rows and bytes of the run:", cur.fetchone())  # the README's "Run retention" figure
            cur.execute("select status from runs where run_id = $1", parameters=(run["runId"],))
            assert cur.fetchall() == [("SUCCESS",)]
            cur.execute("select count(*) from job_ticks where status = 'SUCCESS'")
            assert cur.fetchone()[0] >= 1  # the sensor's tick that requested the run
        # (Dagster stores a run's start and success under their old names, PIPELINE_START and PIPELINE_SUCCESS)
        assert events.get(RUN_START.value) == events.get(RUN_SUCCESS.value) == 1, events
        assert events.get(ASSET_MATERIALIZATION.value, 0) > 20, events
        assert not list(home.rglob("*.db")), "an instance store in SQLite"
        # the run wrote the warehouse the environment named (the settings reach the code location)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            assert con.execute("select la_code, status from published.publications").fetchall() == [(la, "published")]
        # and pushed it into the published Postgres database PIPELINE_POSTGRES_URL named
        with pg.connect(published_database) as con, con.cursor() as cur:
            cur.execute("select la_code, status from published.publications")
            assert cur.fetchall() == [(la, "published")]

        # each LA-partitioned asset reports the LA's partition materialised, none failed or missing
        nodes = graphql(url, PARTITIONS)["assetNodes"]
        partitioned = {"/".join(n["assetKey"]["path"]): n["assetPartitionStatuses"] for n in nodes if n["isPartitioned"]}
        assert {"raw_manifests", "raw_children", "published_warehouse"} <= {k.rsplit("/", 1)[-1] for k in partitioned}
        for key, statuses in partitioned.items():
            assert statuses["__typename"] == "DefaultPartitionStatuses", key
            assert (statuses["materializedPartitions"], statuses["failedPartitions"], statuses["unmaterializedPartitions"],
                    statuses["materializingPartitions"]) == ([la], [], [], []), key
        assert webserver.poll() is None and daemon.poll() is None
    finally:
        stop(processes)


def start(processes: list, log: Path, cmd: list[str], env: dict) -> subprocess.Popen:
    """A process in a session of its own (stop() ends it with its children: code servers, run workers),
    its output to a file (an unread pipe would fill and stall it)."""
    with open(log, "a") as out:
        process = subprocess.Popen(cmd, cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    process.log = log  # for the failure messages
    processes.append(process)
    return process


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def start_webserver(processes: list, log: Path, env: dict) -> tuple[subprocess.Popen, str]:
    """dagster-webserver on a free loopback port, once it answers; another port if the one picked was
    taken before the server bound it."""
    from tests.postgres.conftest import _free_port

    for _ in range(3):
        port = _free_port()
        webserver = start(processes, log, [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port),
                                           "-w", "workspace.yaml"], env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while webserver.poll() is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5) as answer:
                    if answer.status == 200:
                        return webserver, url
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(1)
        if webserver.poll() is None:
            raise AssertionError(f"dagster-webserver did not answer: {tail(log)}")
    raise AssertionError(f"dagster-webserver did not start: {tail(log)}")


def graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = json.load(answer)
    assert not body.get("errors"), body["errors"]
    return body["data"]


def wait_for_finished_run(url: str, processes: list[subprocess.Popen], deadline: float) -> dict:
    """The one run, as the webserver reports it, once it finished."""
    runs = []
    while time.monotonic() < deadline:
        answer = graphql(url, RUNS)["runsOrError"]
        assert answer["__typename"] == "Runs", answer
        runs = answer["results"]
        assert len(runs) <= 1, runs
        if runs and runs[0]["status"] in FINISHED:
            return runs[0]
        for process in processes:
            assert process.poll() is None, f"{process.args[0]} exited ({process.returncode}): {tail(process.log)}"
        time.sleep(2)
    raise AssertionError(f"no finished run in time: {runs}")


def tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:] if log.exists() else ""


@pytest.mark.parametrize("unit", ["dagster-daemon.service", "dagster-webserver.service"])
def test_systemd_accepts_the_units(unit, tmp_path):
    """`systemd-analyze verify` on each unit, its paths pointed at this checkout: an unknown key or a
    malformed line is a warning there, so any output at all fails."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian's systemd package)")
    text = (DEPLOY / unit).read_text().replace("/etc/pipeline/pipeline.env", str(DEPLOY / "pipeline.env.example"))
    (tmp_path / unit).write_text(text.replace("/opt/pipeline", str(PROJECT_DIR)))
    checked = subprocess.run([analyze, "verify", "--man=no", str(tmp_path / unit)], capture_output=True, text=True)
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")
