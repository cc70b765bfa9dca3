"""Requests refused before any view sees them."""

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string

NUL = "\x00"


class RefuseNulCharactersMiddleware:
    """A NUL character is never part of anything this app records, and PostgreSQL refuses it in
    text: in a path, a query string or a form value it would reach a query and fail as a server
    error. Such a request is answered 400 with the app's own page, and nothing is done."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = (request.GET, request.POST) if request.method == "POST" else (request.GET,)
        if NUL in request.path_info or any(
            NUL in key or any(NUL in value for value in values)
            for data in sent
            for key, values in data.lists()
        ):
            return HttpResponseBadRequest(
                render_to_string(
                    "400.html",
                    {
                        "message": "The address or the form contained a character that is not allowed "
                        "(a NUL character). Nothing was changed.",
                    },
                    request=request,
                )
            )
        return self.get_response(request)
