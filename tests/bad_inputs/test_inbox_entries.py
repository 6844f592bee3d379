"""The inbox mechanisms under the corpus cases (pipeline.load.inbox): what is read, what is refused."""

import os
import shutil
import time
from pathlib import Path

import pytest

from pipeline.load.inbox import discover, files
from pipeline.load.sources import read_regular
from pipeline.state import folder_fingerprint, plan, reference_fingerprint

BASE = Path(__file__).resolve().parent / "base" / "X1"


def test_a_fifo_is_refused_at_once_never_waited_on(tmp_path):
    fifo = tmp_path / "referrals.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(fifo)
    assert time.monotonic() - started < 5


def test_a_link_is_never_followed_by_read_regular(tmp_path):
    (tmp_path / "real.csv").write_text("a\n1\n")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    assert read_regular(tmp_path / "real.csv") == b"a\n1\n"
    with pytest.raises(OSError):
        read_regular(tmp_path / "link.csv")


def test_links_inside_the_inbox_are_read_and_links_out_of_it_are_not(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(BASE, inbox / "X1")
    shared = inbox / "X1" / "shared_referrals.csv"
    (inbox / "X1" / "referrals.csv").rename(shared)
    (inbox / "X1" / "referrals.csv").symlink_to(shared)  # a link within the inbox: fine
    assert inbox / "X1" / "referrals.csv" in files(inbox / "X1")
    [la] = discover(inbox)
    assert la.ok, la.problems

    outside = tmp_path / "elsewhere"
    shutil.copytree(BASE, outside)
    (inbox / "X2").symlink_to(outside)  # an LA folder that is a link out of the inbox
    problems = {la.la_code: la.problems for la in discover(inbox)}
    assert problems["X1"] == []
    assert problems["X2"] == [f"X2: the folder is a symbolic link to {outside}, outside the inbox: not read "
                              "(rule link_outside_inbox)"]


def test_the_plan_fingerprints_an_inbox_with_names_that_are_not_utf8(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(BASE, inbox / "X1")
    bad = os.fsdecode(os.fsencode(inbox / "X1") + b"\xff")
    os.rename(inbox / "X1", bad)
    [planned] = plan(inbox, tmp_path / "w.duckdb", reference_fingerprint())
    assert (planned.la_code, planned.run) == ("X1\\xff", True)
    assert len(folder_fingerprint(planned.folder)) == 64 and folder_fingerprint(planned.folder) != folder_fingerprint(tmp_path)
    [la] = discover(inbox)
    assert la.la_code == "X1\\xff" and "folder_name_invalid" in la.problems[0]
