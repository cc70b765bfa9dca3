"""Absolute addresses for links read outside the site (e-mails), from the one setting that
says where the site is: SITE_URL."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """https://send.example.org/casework/due/ from "/casework/due/"."""
    if not path.startswith("/"):
        raise ValueError(f"Expected a path from the site's root, not {path!r}.")
    return settings.SITE_URL.rstrip("/") + path
