"""Drop clients that stop reading, so they cannot hold a server thread forever.

gunicorn's threaded workers write each response with a blocking `sendall()` and
hand the application the client's socket as environ["gunicorn.socket"]. Giving
that socket a timeout makes a write that cannot finish in time raise; gunicorn
then closes the connection and the response (a CSV download gives its slot
back, see agreements/exports.py). Python applies the timeout to each whole
`sendall()` of a chunk (up to 256 KB of CSV), so a client is dropped when it
takes in less than one chunk in that time; pages are a single, smaller write.
The same timeout bounds each read of a request body. Under servers that pass
no socket (runserver, the test client) this does nothing.
"""

import os

DEFAULT_SEND_TIMEOUT = 30.0  # seconds


def send_timeout_from_environment() -> float:
    """ACCORDS_SEND_TIMEOUT in seconds; 0 turns the timeout off."""
    return float(os.environ.get("ACCORDS_SEND_TIMEOUT", "") or DEFAULT_SEND_TIMEOUT)


class SendTimeout:
    """WSGI middleware: a timeout on the client's socket for this request's writes."""

    def __init__(self, app, seconds: float):
        self.app, self.seconds = app, seconds

    def __call__(self, environ, start_response):
        sock = environ.get("gunicorn.socket")
        if self.seconds > 0 and hasattr(sock, "settimeout"):
            sock.settimeout(self.seconds)
        return self.app(environ, start_response)
