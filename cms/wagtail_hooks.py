from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from wagtail import hooks

from .audience import needs_login, page_visible_to


@hooks.register("before_serve_page")
def enforce_audience(page, request, serve_args, serve_kwargs):
    """Visitors are asked to log in; signed-in people outside the audience get a 404.
    Previews (in the admin) do not pass here, so editors preview every page."""
    if page_visible_to(page, request.user):
        return None
    if not request.user.is_authenticated and needs_login(page):
        return redirect_to_login(request.get_full_path())
    raise Http404
