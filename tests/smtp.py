"""A real SMTP server for the tests (aiosmtpd on a free local port), which can
accept, refuse a recipient, or drop the connection mid-message."""

import email
import email.policy
import socket

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    def __init__(self):
        self.received = []  # email.message.EmailMessage, in order of acceptance
        self.refuse = set()  # addresses answered 550
        self.drop_for = set()  # addresses whose message is cut off with the connection

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.drop_for & set(envelope.rcpt_tos):
            server.transport.close()  # hang up before answering: nothing was accepted
            return "421 gone"
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.received if m["To"] == address]


@pytest.fixture
def mail_server(settings):
    """Starts a server, points Django's SMTP backend at it, stops it afterwards."""
    handler = MailServer()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    handler.port = port
    handler.controller = controller
    yield handler
    controller.stop()
