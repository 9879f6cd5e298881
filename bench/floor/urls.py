# SPDX-License-Identifier: AGPL-3.0-or-later
from bare.models import Row
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from portal.urls import urlpatterns as portal_urlpatterns


@login_required
@require_POST
def insert(request):
    """The bare view's INSERT, for a signed-in user, CSRF checked (no exemption)."""
    row = Row.objects.create(
        name=request.POST.get("name", ""),
        email=request.POST.get("email", ""),
        company=request.POST.get("company", ""),
    )
    return HttpResponse(str(row.pk), status=201, content_type="text/plain")


urlpatterns = [path("floor/insert/", insert), *portal_urlpatterns]
