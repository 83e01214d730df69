"""A client that stops reading is dropped by the production server (gunicorn's threaded
worker with config.slow_clients.SendTimeout), so it cannot hold a thread, or a CSV
download's slot, for ever; a client that keeps reading is not."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.slow_clients import DEFAULT_SEND_TIMEOUT, SendTimeout

ROOT = Path(__file__).resolve().parent.parent
SEND_TIMEOUT = 2  # seconds, in the probe server
PATIENCE = 60  # seconds: generous upper bounds for a loaded machine, not measurements


def wait_until(condition, seconds=PATIENCE, step=0.05):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(step)
    return condition()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "PROBE_SEND_TIMEOUT": str(SEND_TIMEOUT), "PROBE_MARKERS": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "tests.slow_client_app:app",
         "--worker-class", "gthread", "--workers", "1", "--threads", "2",
         "--bind", f"127.0.0.1:{port}", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip

    def listening():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            return process.poll() is not None  # stop waiting if it died

    assert wait_until(listening) and process.poll() is None, process.stderr.read().decode()
    yield port, tmp_path
    process.terminate()
    process.wait(timeout=30)


def open_download(port, name):
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    client.connect(("127.0.0.1", port))
    client.sendall(f"GET /?{name} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return client


def read_to_the_end(client) -> int:
    client.settimeout(PATIENCE)
    received = 0
    try:
        while chunk := client.recv(65536):
            received += len(chunk)
    except ConnectionResetError:
        pass
    return received


def test_a_client_that_stops_reading_is_dropped(server):
    port, markers = server
    stalled = open_download(port, "stalled")
    try:
        # It reads nothing: the server's write blocks, times out, and the server closes
        # the response (freeing the thread and, for a CSV report, its download slot)...
        assert wait_until((markers / "stalled").exists), "the server kept the stalled download"
        # ...and the connection: what was already sent, then the end.
        assert read_to_the_end(stalled) > 0
    finally:
        stalled.close()


def test_a_client_that_keeps_reading_is_not_dropped(server):
    port, markers = server
    reader = open_download(port, "reader")
    try:
        reader.settimeout(PATIENCE)
        started, received = time.monotonic(), 0
        # Steadily, at about 800 KB/s, for twice the send timeout.
        while time.monotonic() - started < 2 * SEND_TIMEOUT:
            chunk = reader.recv(8192)
            assert chunk, "the server dropped a client that was reading"
            received += len(chunk)
            time.sleep(0.01)
        assert not (markers / "reader").exists()
        assert received > 65536
    finally:
        reader.close()


def test_the_production_app_drops_clients_after_30_seconds():
    from config import wsgi

    assert isinstance(wsgi.application, SendTimeout)
    assert wsgi.application.seconds == DEFAULT_SEND_TIMEOUT == 30
