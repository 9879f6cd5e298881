# SPDX-License-Identifier: AGPL-3.0-or-later
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .agreements import agreement_accept as accept
from .audience import visible_pages
from .i18n import searchable_pages
from .models import AgreementPage

SEARCH_LIMIT = 200


def search(request):
    """Search the pages this reader may see."""
    query = (request.GET.get("q") or "").strip()[:200]
    results = []
    if query:
        # The pages in the reader's language (each translation is a page of its own).
        found = searchable_pages(get_language()).specific().search(query)[:SEARCH_LIMIT]
        results = [p for p in visible_pages(found, request.user) if p.depth > 1]
    page = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/search.html",
        {"query": query, "page_obj": page, "results": page.object_list, "count": len(results)},
    )


@login_required
@require_POST
def agreement_accept(request, pk: int):
    page = get_object_or_404(AgreementPage.objects.live(), pk=pk)
    if not request.POST.get("accept"):
        messages.error(request, _("Tick the box to confirm you accept the agreement."))
        return redirect(page.url)
    acceptance = accept(user=request.user, page=page, ip_address=request.META.get("REMOTE_ADDR"))
    messages.success(
        request,
        _("Thank you: you accepted version %(version)s of the agreement. You can refer again.")
        % {"version": acceptance.version},
    )
    return redirect("leads:new")
