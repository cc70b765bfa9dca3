"""Test helper run as a subprocess: one WSGI process that keeps its database connection
(CONN_MAX_AGE) and answers GET /healthz through the real request cycle (request_started closes
unusable connections, unlike the test client) each time a line arrives on stdin."""

import io
import json
import os
import sys
from wsgiref.util import setup_testing_defaults

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "send_portal.settings.test")


def main() -> None:
    from django.core.wsgi import get_wsgi_application

    app = get_wsgi_application()
    for _line in sys.stdin:
        environ = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
        setup_testing_defaults(environ)
        status = []
        body = b"".join(app(environ, lambda s, h, *a, out=status: out.append(s)))
        try:
            database = json.loads(body)["checks"]["database"]
        except ValueError:
            database = "no JSON"
        print(status[0].split()[0], database, flush=True)


if __name__ == "__main__":
    main()
