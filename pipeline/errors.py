"""What `pipeline` makes of an outcome: its exit codes, and the error for a request that cannot be
done as asked (the library raises it; the CLI prints its message and exits EXIT_USAGE)."""

# README "Running it on real extracts": 0 every LA published (or none was due); 1 the quality gate held
# an LA back (validate: would hold back, or quarantined a row); 2 a usage or environment error
EXIT_OK, EXIT_HELD_BACK, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """What was asked cannot be done as asked (no such folder, LA or month, a refresh already running,
    Postgres unreachable, Java missing); the message says why and what to do. `pipeline` prints it
    as `error: <message>`, without a traceback, and exits EXIT_USAGE."""


# the CLI's log file of full traces (pipeline/console.py), passed to the processes it starts
ERROR_LOG_ENV = "PIPELINE_ERROR_LOG"
