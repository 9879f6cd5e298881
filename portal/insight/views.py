# SPDX-License-Identifier: AGPL-3.0-or-later
"""/insight/: parse the filters, ask the selectors, answer HTML or CSV."""

from __future__ import annotations

from dataclasses import replace
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from .exports import csv_response
from .forms import InsightFilterForm
from .selectors import (
    insight_funnel,
    insight_leads,
    insight_leads_count,
    insight_money,
    insight_scope,
    partner_health,
    referrer_profiles,
    referrer_profiles_first,
    referrers_with_profile,
    revenue_over_time,
)
from .tables import (
    PAGE_ROWS,
    funnel_chart,
    funnel_table,
    health_table,
    money_table,
    profiles_table,
    revenue_charts,
)

FILTER_KEYS = ("program", "organisation", "team", "period", "profile")


def _serial_reads(view):
    """Run the view's reads without parallel workers (PostgreSQL): they aggregate rollup
    rows in the tens of thousands, where starting and merging workers costs more than it
    saves (measured: the profiles' query 170 ms with two workers, 100 ms without, on a
    busy two-core machine)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if connection.vendor != "postgresql":
            return view(request, *args, **kwargs)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            return view(request, *args, **kwargs)

    return wrapped


def _setup(request):
    scope = insight_scope(user=request.user)
    if scope is None:
        raise PermissionDenied
    form = InsightFilterForm(request.GET or None, scope=scope)
    query = {k: request.GET.get(k, "") for k in FILTER_KEYS}
    filters = form.filters()
    if form.chosen_profile:
        ids = referrers_with_profile(scope=scope, filters=filters, kind=form.chosen_profile)
        filters = replace(filters, referrer_ids=ids)
    return scope, form, filters, query


@login_required
@_serial_reads
def insight(request):
    scope, form, filters, query = _setup(request)
    as_csv = request.GET.get("format") == "csv"
    limit = None if as_csv else PAGE_ROWS  # a page shows the first rows, a CSV all
    funnel = insight_funnel(scope=scope, filters=filters)
    if as_csv:
        profiles = referrer_profiles(scope=scope, filters=filters)
        profiles_total = len(profiles)
    else:
        profiles, profiles_total = referrer_profiles_first(
            scope=scope, filters=filters, rows=PAGE_ROWS
        )
    tables = [
        funnel_table(funnel, query),
        money_table(insight_money(scope=scope, filters=filters), query),
        profiles_table(profiles, query, limit, total=profiles_total),
    ]
    if scope.everything or scope.organisation_id is not None:
        health = partner_health(scope=scope, on=timezone.localdate())
        tables.append(health_table(health, limit))
    if as_csv:
        wanted = request.GET.get("table", "funnel")
        table = next((t for t in tables if t.key == wanted), None)
        if table is None:
            raise Http404
        return csv_response(
            filename=f"insight-{table.key}.csv", header=table.header, rows=table.csv_rows()
        )
    charts = [
        funnel_chart(funnel),
        *revenue_charts(revenue_over_time(scope=scope, filters=filters)),
    ]
    return render(
        request,
        "insight/insight.html",
        {
            "form": form,
            "tables": tables,
            "charts": [c for c in charts if c is not None],
            "query": query,
            "active_nav": "insight",
        },
    )


@login_required
@_serial_reads
def leads(request):
    """The leads behind one figure of the insight page (same scope, same filters)."""
    scope, form, filters, query = _setup(request)
    figure = {
        "step": request.GET.get("step", ""),
        "source": request.GET.get("source", ""),
        "currency": request.GET.get("currency", ""),
    }
    qs = insight_leads(user=request.user, scope=scope, filters=filters, **figure)
    paginator = Paginator(qs, 50)
    counted = insight_leads_count(scope=scope, filters=filters, **figure)
    if counted is not None:  # the rollups know how many (counting the leads is slow)
        paginator.count = counted
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "insight/leads.html",
        {"page": page, "count": page.paginator.count, "query": query, "active_nav": "insight"},
    )
