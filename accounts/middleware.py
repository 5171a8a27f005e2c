from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpResponseBadRequest, JsonResponse


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page requires login; the API answers 401/403 itself (session or token auth)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


NUL_MESSAGE = "The address holds a NUL character, which no page or field accepts."


class RejectNulCharactersMiddleware:
    """A NUL character in the path or a query parameter can never be stored or searched for
    (PostgreSQL text refuses it): answer 400 at once rather than fail deep inside a query. Form and
    JSON bodies need no check here: their fields refuse NUL with a message of their own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
