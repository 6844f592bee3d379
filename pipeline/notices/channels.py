"""The two ways a notice leaves: email over SMTP (STARTTLS, login) and a JSON webhook. Standard library
only. Each raises on failure; the caller records it and tries again on the next run."""

import json
import smtplib
import ssl
import urllib.request
from email.message import EmailMessage

from pipeline.notices.config import Smtp


def send_email(smtp: Smtp, password: str | None, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, to, subject
    message.set_content(body)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context(cafile=smtp.ca_file))
        if smtp.username:
            server.login(smtp.username, password or "")
        server.send_message(message)


def post_webhook(url: str, subject: str, body: str, timeout: float) -> None:
    """{"text": ...}: what Microsoft Teams and Slack incoming webhooks both accept."""
    data = json.dumps({"text": f"{subject}\n\n{body}"}).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only: config.py)
        response.read()
