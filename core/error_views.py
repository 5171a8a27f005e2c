"""The pages Keyline answers with when something goes wrong: 403, 404, 500 and a refused form (CSRF).

Each is a page in the app's frame (the navigation, for a signed-in user) saying what happened and
where to go next. A 404 says the same whether the thing is missing or behind the ethical wall, so
it never repeats the exception's text. The 500 page is rendered without a request context: whatever
broke (the database included) must not break the page that says so. The API keeps its JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

# What each page says: (title, what happened, the status line a user may quote to support).
PAGES: dict[int, tuple[str, str]] = {
    403: (
        "You can’t do that here",
        "Your role does not allow this. Nothing was changed.",
    ),
    404: (
        "We can’t find that page",
        "The address may be mistyped, the page may have moved, or it may be one you cannot see.",
    ),
}
CSRF_TITLE = "Your form had expired"
CSRF_TEXT = (
    "The page you sent the form from was open too long, or you signed out in another tab, so the form "
    "was refused and nothing was saved. Go back, reload the page and send it again."
)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _page(request: HttpRequest, status: int, title: str, text: str, detail: str = "") -> HttpResponse:
    html = loader.render_to_string(
        "error_page.html",
        {"status": status, "title": title, "text": text, "detail": detail},
        request=request,
    )
    return HttpResponse(html, status=status)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    title, text = PAGES[404]
    return _page(request, 404, title, text)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    title, text = PAGES[403]
    # Refusals are raised with a sentence for the user ("You can view this plan but not change it.").
    detail = str(exception) if exception is not None and str(exception) else ""
    return _page(request, 403, title, detail or text, "Nothing was changed." if detail else "")


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "CSRF check failed: reload the page and try again."}, status=403)
    return _page(request, 403, CSRF_TITLE, CSRF_TEXT)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side. Nothing was saved."}, status=500)
    # No request context: no session, user or notification lookups that need the database.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
