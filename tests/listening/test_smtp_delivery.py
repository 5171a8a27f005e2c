"""A real SMTP conversation: the survey email reaches a local SMTP server with its unsubscribe headers."""

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from listening.services.surveys import survey_invite, survey_send

pytestmark = pytest.mark.django_db


class Sink(Message):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[email.message.Message] = []

    def handle_message(self, message) -> None:
        self.received.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    yield sink
    controller.stop()


def test_survey_email_is_delivered_over_smtp_with_one_click_unsubscribe(
    smtp_sink, carol, survey, decision_maker, django_capture_on_commit_callbacks
):
    survey_invite(actor=carol, survey=survey, stakeholders=[decision_maker])
    with django_capture_on_commit_callbacks(execute=True):
        survey_send(actor=carol, survey=survey)
    [message] = smtp_sink.received
    assert message["To"] == "dana@harbour.example"
    assert message["List-Unsubscribe"].startswith("<http") and "/unsubscribe/" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.is_multipart()
