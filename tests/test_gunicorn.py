"""config/gunicorn.conf.py as gunicorn itself reads it for `make serve`."""

import sys
from pathlib import Path

from gunicorn.app.wsgiapp import WSGIApplication

ROOT = Path(__file__).resolve().parent.parent


def gunicorn_settings(monkeypatch, **env):
    """gunicorn's Config after `gunicorn config.wsgi --config config/gunicorn.conf.py`."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    argv = ["gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setitem(sys.modules, "__config__", None)  # gunicorn loads the file under this name
    return WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg


def control_socket(cfg):
    return None if cfg.control_socket_disable else cfg.control_socket


def test_two_instances_on_one_machine_do_not_share_a_control_socket(monkeypatch):
    first = gunicorn_settings(monkeypatch, ACCORDS_BIND="127.0.0.1:8091")
    second = gunicorn_settings(monkeypatch, ACCORDS_BIND="127.0.0.1:8092")
    assert (first.bind, second.bind) == (["127.0.0.1:8091"], ["127.0.0.1:8092"])
    assert first.worker_class_str == "gthread"  # the file was read, not just defaults
    # We do not use gunicornc; a shared default socket would let one instance take over
    # (and on exit delete) the other's.
    assert control_socket(first) is None
    assert control_socket(second) is None


def test_each_worker_freezes_its_start_up_objects_for_the_garbage_collector(monkeypatch):
    """Full collections walked the 110,000 objects a worker loads at start, pausing
    one request in ten by about 40 ms (README, Benchmarks)."""
    import gc

    cfg = gunicorn_settings(monkeypatch)
    threshold = gc.get_threshold()
    try:
        cfg.post_worker_init(worker=None)
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold()[0] == 20_000
    finally:  # this test process is no server
        gc.unfreeze()
        gc.set_threshold(*threshold)
