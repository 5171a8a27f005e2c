from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from core.parsers import with_ascii_digits


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page requires login; the API answers 401/403 itself (session or token auth)."""

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


NUL_MESSAGE = "The address holds a NUL character, which no page or field accepts."


class RejectNulCharactersMiddleware:
    """A NUL character in the path or a query parameter can never be stored or searched for
    (PostgreSQL text refuses it): answer 400 at once rather than fail deep inside a query. Form and
    JSON bodies need no check here: their fields refuse NUL with a message of their own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


FORM_CONTENT_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


class FormDigitsMiddleware:
    """Pages read a query or form value that is only a number or a date typed in full-width or other
    Unicode digits ("１２３") as the same value in 0-9, as the API's parsers do, so that a page and the
    API store the same thing. (API bodies are read by the parsers; uploaded files are not touched.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith("/api/"):
            # with_ascii_digits returns a read-only QueryDict, as Django's own.
            request.GET = with_ascii_digits(request.GET)  # type: ignore[assignment]
            if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
                request.POST = with_ascii_digits(request.POST)  # type: ignore[assignment]
        return self.get_response(request)


class NoStoreMiddleware:
    """No page, export, download or API answer is kept by a browser or a proxy: each may carry client
    data, and a shared computer's cache or back button must not show it to the next person. Static
    files never reach this middleware (WhiteNoise, placed before it, serves them with long caching)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        add_never_cache_headers(response)
        # htmx asks the same URL for a fragment: no cache may answer a full page with one, or the reverse.
        patch_vary_headers(response, ("HX-Request",))
        return response
