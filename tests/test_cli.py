"""The CLI's one way of failing: whatever the library refuses (its UsageError kinds and ValueError for a
bad argument) is printed as `error: <message>` on stderr, with exit 2 and no traceback, whichever
command asked. The commands' real runs are tested with what they run (tests/defs, tests/report, ...)."""

import pytest

from pipeline.cli import main


@pytest.mark.parametrize("command, message", [
    (["refresh", "--inbox", "{tmp}/no-inbox", "--warehouse", "{tmp}/w.duckdb"],
     "inbox {tmp}/no-inbox is not a folder"),
    (["validate", "{tmp}"], "inbox {tmp} has no LA folders"),
    (["withdraw", "--la", "X1", "--warehouse", "{tmp}/w.duckdb"],  # publish.withdraw's ValueError
     "warehouse {tmp}/w.duckdb does not exist: nothing to withdraw"),
    (["push", "--warehouse", "{tmp}/w.duckdb", "--postgres", "postgresql://nobody@127.0.0.1:1/none"],
     "warehouse {tmp}/w.duckdb does not exist (run `pipeline refresh` first)"),
    (["grant", "--user", "someone", "--regional", "--postgres", ""], "no Postgres database: pass --postgres URL"),
    (["scorecard", "--warehouse", "{tmp}/w.duckdb"], "warehouse {tmp}/w.duckdb does not exist"),
    (["report", "--month", "January", "--warehouse", "{tmp}/w.duckdb"], "--month 'January' is not a month like 2026-10"),
    (["generate", "--out", "{tmp}/inbox", "--months", "0"], "months must be at least 1"),
])
def test_a_refused_request_is_one_error_line_and_exit_2(tmp_path, capsys, command, message):
    assert main([part.format(tmp=tmp_path) for part in command]) == 2
    out = capsys.readouterr()
    assert out.err.startswith(f"error: {message.format(tmp=tmp_path)}")
    assert out.err.count("\n") == 1 and "Traceback" not in out.out + out.err
