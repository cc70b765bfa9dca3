"""gunicorn's settings, the same in docker-compose.yml, the image and `make production-local`.

Sync workers read each request themselves, so they must sit behind the buffering proxy
(deploy/Caddyfile): on their own, a few slow clients hold all of them."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 60
# The path without its query string, for whoever turns the access log on (--access-logfile).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'
# gunicorn's control socket (one path per user) is not used, and a second gunicorn on the same
# machine (a test beside a running `make production-local`) would take it over.
control_socket_disable = True
