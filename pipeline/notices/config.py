"""The notice configuration: the YAML file PIPELINE_NOTICES names (deploy/notices.example.yml), read into
these models. A misspelt key or a malformed address fails when it loads, naming the file and the key.
The SMTP password is not in it (PIPELINE_SMTP_PASSWORD, pipeline/settings.py); its webhook URLs are
secrets, so the file is installed as one (README "Notices") and they go nowhere else."""

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from pipeline.specs.base import SpecModel, load_yaml


class Recipients(SpecModel):
    """Who is told: email addresses, and incoming-webhook URLs (Microsoft Teams or Slack: both take
    {"text": ...})."""

    email: list[str] = []
    webhooks: list[str] = []

    @field_validator("email")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            local, at, domain = address.partition("@")
            if not (local and at and "." in domain) or any(c.isspace() for c in address):
                raise ValueError(f"{address!r} is not an email address")
        return value

    @field_validator("webhooks")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if not url.startswith(("https://", "http://")):
                raise ValueError("a webhook is an http(s):// URL")
        return value


class Smtp(SpecModel):
    host: str
    port: int = Field(587, ge=1, le=65535)
    starttls: bool = True  # upgrade the connection before logging in (port 587); false only on a trusted relay
    username: str | None = None  # logs in with PIPELINE_SMTP_PASSWORD when set
    sender: str  # the From address
    # the CA that signed the server's certificate, when it is not one the system trusts (a private relay)
    ca_file: Path | None = None
    timeout_seconds: float = Field(20, gt=0)


class NoticeConfig(SpecModel):
    smtp: Smtp | None = None
    # the Dagster webserver as people reach it, for a link to a failed run: <ui_url>/runs/<run id>
    ui_url: str | None = None
    hub: Recipients  # told when a run or the Postgres push fails
    las: dict[str, Recipients] = {}  # LA code: told when its extract is held back or overdue
    webhook_timeout_seconds: float = Field(20, gt=0)

    @model_validator(mode="after")
    def _smtp_for_email(self):
        if self.smtp is None and any(r.email for r in [self.hub, *self.las.values()]):
            raise ValueError("email recipients need an smtp: section (host, sender)")
        return self

    def of_la(self, la_code: str) -> Recipients:
        return self.las.get(la_code, Recipients())

    def webhooks(self) -> dict[str, str]:
        """Every webhook of the configuration by the name the delivery ledger knows it by (webhook_ref)."""
        return {webhook_ref(u): u for who in [self.hub, *self.las.values()] for u in who.webhooks}


def webhook_ref(url: str) -> str:
    """A webhook as the delivery ledger names it: its host and a hash of its URL. Whoever has an incoming
    webhook's URL can post to it, so the URL is a secret: it stays in the configuration, never in the ledger."""
    return f"{urlsplit(url).netloc} {hashlib.sha256(url.encode()).hexdigest()[:16]}"


def load_config(path: Path) -> NoticeConfig:
    """SpecError naming the file and the key when the file does not say what NoticeConfig expects."""
    return load_yaml(path, NoticeConfig)
