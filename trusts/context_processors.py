from django.urls import NoReverseMatch, reverse

from . import access
from . import navigation as nav


def navigation_items(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    entries = []
    for item in nav.items():
        if item.capability is not None and not access.can_anywhere(user, item.capability):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append(
            {
                "label": item.label,
                "url": url,
                "active": request.path.startswith(url) and url != "/" or request.path == url,
            }
        )
    return entries


def navigation(request) -> dict:
    return {"nav_items": navigation_items(request)}
