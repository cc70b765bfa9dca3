"""The app's own error pages where Django would show its technical ones."""

from django.http import Http404
from django.urls import Resolver404, resolve
from django.views.defaults import page_not_found


class AppNotFoundPageMiddleware:
    """For the embedded demo, which runs with DEBUG on: a page that does not exist answers the
    app's 404 page (templates/404.html), as in production, rather than Django's technical page
    listing every URL of the site. Errors other than 404 keep Django's debug pages.

    Django shows its technical 404 page whenever DEBUG is on, both for an address that matches
    no URL (found before any view or middleware hook runs, hence the look-up here) and for a
    view raising Http404 (process_exception). Placed last, so the request has its user and
    session, and CommonMiddleware still adds a missing trailing slash first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as exc:
            return page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
