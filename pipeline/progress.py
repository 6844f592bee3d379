"""Progress lines for people running a refresh from the CLI (the `pipeline` logger prints them)."""

import logging

log = logging.getLogger("pipeline")


def progress(stage: str, message: str) -> None:
    log.info("[%s] %s", stage, message)
