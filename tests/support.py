"""Test-only recorders: every URL the suite requests (test client and live server alike) and
every log line written, so a check can prove no personal data reaches either."""

import logging

REQUESTED_URLS: list[str] = []
LOG_LINES: list[str] = []


class RecordRequestsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        REQUESTED_URLS.append(request.get_full_path())
        return self.get_response(request)


class RecordingHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            LOG_LINES.append(self.format(record))
        except Exception:  # noqa: BLE001 - a log line that cannot be formatted is not our concern
            LOG_LINES.append(str(record.msg))


def clear() -> None:
    REQUESTED_URLS.clear()
    LOG_LINES.clear()
