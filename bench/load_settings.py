"""Settings for the load benchmark's gunicorn and worker: production settings unchanged except
static files, served unhashed (the benchmark fetches pages, not assets) because
`collectstatic` with the manifest storage currently fails on a missing vendored GOV.UK asset."""

from send_portal.settings.production import *  # noqa: F403
from send_portal.settings.production import STORAGES

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
