"""WSGI app for test_slow_clients.py: an endless download behind the production
send timeout (config.slow_clients.SendTimeout), run under gunicorn's threads.

Each response writes a file named after its query string when the server closes
it, which is when a CSV download gives its slot back.
"""

import os
import socket
from pathlib import Path

from config.slow_clients import SendTimeout

CHUNK = b"x" * 65536


class EndlessDownload:
    def __init__(self, closed_marker: Path):
        self.closed_marker = closed_marker

    def __iter__(self):
        while True:
            yield CHUNK

    def close(self):
        self.closed_marker.write_text("closed")


def endless(environ, start_response):
    # Small kernel buffers, so a client that reads nothing blocks the server's write at once.
    environ["gunicorn.socket"].setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32768)
    start_response("200 OK", [("Content-Type", "text/csv")])
    return EndlessDownload(Path(os.environ["PROBE_MARKERS"]) / environ["QUERY_STRING"])


app = SendTimeout(endless, float(os.environ["PROBE_SEND_TIMEOUT"]))
