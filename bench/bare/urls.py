# SPDX-License-Identifier: AGPL-3.0-or-later
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import Row


@csrf_exempt
@require_POST
def insert(request):
    """Insert one row from the posted form and answer 201 with its id."""
    row = Row.objects.create(
        name=request.POST.get("name", ""),
        email=request.POST.get("email", ""),
        company=request.POST.get("company", ""),
    )
    return HttpResponse(str(row.pk), status=201, content_type="text/plain")


urlpatterns = [path("insert/", insert)]
