"""The real URLs plus one page that fails, to see the 500 page a user would get."""

from django.urls import path

from config.urls import handler403, handler404, handler500
from config.urls import urlpatterns as real


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken), *real]
__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
