"""Gunicorn settings for `make serve` and production.

Threads let a worker keep serving pages while another thread streams a large
CSV export to a slow client.
"""

import multiprocessing
import os

bind = os.environ.get("ACCORDS_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("ACCORDS_THREADS", "4"))
timeout = 120
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then, in case anything leaks
max_requests_jitter = 500
accesslog = os.environ.get("ACCORDS_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: we don't use gunicornc, and its default path is shared by every
# gunicorn of this user, so a second instance would take it over (and delete it on exit).
control_socket_disable = True


def post_worker_init(worker):
    from config.wsgi import tune_garbage_collector

    tune_garbage_collector()
