# SPDX-License-Identifier: AGPL-3.0-or-later
"""The insight pages at scale against the raw tables (issue 16, "Speed at scale").

Seeds 1,000,000 leads over the last 365 days and 5,000,000 points-ledger entries (plus
their audit trail: when each lead was qualified and won, and link visits) with
``INSERT ... SELECT generate_series``, not timed; 20,000 referrers (a tenth of them in 200
partner organisations, the rest in 20 teams), 3 programs. Then the project's
``insight_rebuild()`` fills the rollups (timed and printed) and, in one process with
DEBUG off on PostgreSQL:

- each insight page, served in-process by Django's test client (middleware, view,
  selectors, template: the server's time, no network) for a reviewer, a manager (one
  team) and a partner admin (one organisation), with the default period (30 days), 90
  days, and the leads behind a figure (and, for reference only, the profiles CSV: a
  download of every referrer, not budgeted);
- the same figures by plain SQL over the raw tables (leads, their audit trail, the
  ledger): the funnel by source with the steps reached, revenue of the deals won in the
  period, and each referrer's leads, won deals and average deal (the profiles), a few
  times each.

It checks that the rollups and the raw SQL agree on the funnel counts, prints p50/p95 of
each page, the raw SQL's median and the ratio, and PASS/FAIL against the budget: each
page's p95 under 300 ms and at least 20x faster than the raw SQL for its figures (raw
median / page p95). A budget that fails is a measurement (exit 0); a broken run exits 1.

Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432, a role that may
create databases), BENCH_LEADS (default 1,000,000; entries are 5x, referrers leads/50),
BENCH_ITERATIONS (default 30 per page), BENCH_SQL_REPEATS (default 3). The database
BENCH_INSIGHT_DB (default vouch_bench_insight) is dropped and recreated on every run, unless
BENCH_INSIGHT_REUSE=1 keeps the last run's data (same BENCH_LEADS; migrations applied, the
rollups rebuilt; with BENCH_INSIGHT_REBUILD=0 too, not rebuilt: for profiling, not a full
run). Develop with BENCH_LEADS=20000.
"""

from __future__ import annotations

import argparse
import atexit
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable

sys.path.insert(0, str(BENCH))
from lead_submit import PG_URL, Broken, base_env, recreate_database, run, run_child  # noqa: E402

DB = os.environ.get("BENCH_INSIGHT_DB", "vouch_bench_insight")
TIME_ZONE = os.environ.get("TIME_ZONE") or "Europe/Helsinki"
LEADS = int(os.environ.get("BENCH_LEADS", "1000000"))
ENTRIES = LEADS * 5
REFERRERS = max(LEADS // 50, 100)
TEAMS, ORGANISATIONS, PROGRAMS = 20, 200, 3
ITERATIONS = int(os.environ.get("BENCH_ITERATIONS", "30"))
SQL_REPEATS = int(os.environ.get("BENCH_SQL_REPEATS", "3"))
REUSE = os.environ.get("BENCH_INSIGHT_REUSE") == "1"
# With REUSE, BENCH_INSIGHT_REBUILD=0 measures the rollups as the last run (and the
# migrations) left them, without rebuilding them first (for profiling; not a full run).
REBUILD = not (REUSE and os.environ.get("BENCH_INSIGHT_REBUILD") == "0")
P95_BUDGET_MS = 300.0
RAW_RATIO_BUDGET = 20.0

# A lead's referrer is referrer number k = (g * 7919) % REFERRERS; every tenth referrer
# is a partner (organisation (k / 10) % ORGANISATIONS), the others employees.
SEED_LEADS = """
INSERT INTO leads_lead (program_id, referrer_id, organisation_id, name, email, phone, company,
    notes, email_normalised, phone_e164, company_domain, consent, consent_text, consent_at,
    language, source, status, rejection_reason, status_note, flags, deal_value, deal_currency,
    lost_reason, submitted_at, status_changed_at)
SELECT %(p0)s + g %% %(programs)s,
       %(u0)s + k,
       CASE WHEN k %% 10 = 0 THEN %(o0)s + (k / 10) %% %(orgs)s END,
       'Bench lead ' || g, 'lead' || g || '@bench.example', '', 'Company ' || g, '',
       'lead' || g || '@bench.example', '', 'bench.example', true, 'Consent', t, 'en',
       (ARRAY['form','form','link','link','import','api'])[1 + (g / 7) %% 6],
       CASE WHEN r < 0.30 THEN 'submitted' WHEN r < 0.55 THEN 'qualified'
            WHEN r < 0.75 THEN 'won' WHEN r < 0.90 THEN 'lost' ELSE 'rejected' END,
       CASE WHEN r >= 0.90 THEN 'invalid' ELSE '' END, '', '[]'::jsonb,
       CASE WHEN r >= 0.55 AND r < 0.75 THEN round((500 + r2 * 20000)::numeric, 2) END,
       CASE WHEN r >= 0.55 AND r < 0.75 THEN 'EUR' ELSE '' END,
       '', t, t
FROM (SELECT g, (g * 7919) %% %(referrers)s k, random() r, random() r2,
             now() - random() * 365 * interval '1 day' t
      FROM generate_series(1::bigint, %(n)s) g OFFSET 0) x
"""

# When each lead was first qualified (two days after submission) and won (ten days).
SEED_AUDIT = """
INSERT INTO audit_auditevent (action, target_type_id, target_id, from_state, to_state, note,
    data, created_at)
SELECT 'lead.' || step, %(ct)s, id::text, '', step, '', '{}'::jsonb,
       submitted_at + CASE WHEN step = 'qualified' THEN interval '2 days'
                           ELSE interval '10 days' END
FROM leads_lead, LATERAL (VALUES ('qualified'), ('won')) s(step)
WHERE (step = 'qualified' AND status IN ('qualified', 'won', 'lost'))
   OR (step = 'won' AND status = 'won')
"""

# Five entries a lead, to its referrer, dated after the lead: lead (g * prime) mod LEADS,
# one event per pass over the leads (one entry per lead, event and participant).
SEED_LEDGER = """
INSERT INTO rewards_ledgerentry (participant_id, program_id, amount, event, reason, language,
    source, lead_id, created_at)
SELECT l.referrer_id, l.program_id,
       (ARRAY[10, 50, 200, 5, -5])[1 + (g - 1) / %(leads)s],
       (ARRAY['submitted', 'qualified', 'won', 'adjustment', 'correction'])[1 + (g - 1) / %(leads)s],
       'bench', 'en', '', l.id, l.submitted_at + ((g - 1) / %(leads)s) * interval '1 day'
FROM generate_series(1::bigint, %(n)s) g
JOIN leads_lead l ON l.id = %(l0)s + (g * 104729) %% %(leads)s
"""

SEED_VISITS = """
INSERT INTO leads_linkvisit (link_id, day, visitor)
SELECT %(k0)s + (g * 31) %% %(links)s, (now() - random() * 365 * interval '1 day')::date,
       'v' || g
FROM generate_series(1::bigint, %(n)s) g
"""

# The page's figures from the raw tables. {scope} narrows to the viewer's leads.
RAW_FUNNEL = """
WITH reached AS (
    SELECT target_id::bigint AS lead_id, bool_or(to_state = 'qualified') AS q,
           bool_or(to_state = 'won') AS w
    FROM audit_auditevent
    WHERE action LIKE 'lead.%%' AND to_state IN ('qualified', 'won')
    GROUP BY target_id
)
SELECT l.source, count(*), count(*) FILTER (WHERE r.q), count(*) FILTER (WHERE r.w)
FROM leads_lead l LEFT JOIN reached r ON r.lead_id = l.id
JOIN accounts_user u ON u.id = l.referrer_id
WHERE l.submitted_at >= %(start)s AND l.submitted_at < %(end)s {scope}
GROUP BY l.source ORDER BY l.source
"""
RAW_REVENUE = """
WITH won AS (
    SELECT target_id::bigint AS lead_id, min(created_at) AS at
    FROM audit_auditevent WHERE action LIKE 'lead.%%' AND to_state = 'won' GROUP BY target_id
)
SELECT l.deal_currency, sum(l.deal_value), count(*)
FROM leads_lead l JOIN won ON won.lead_id = l.id JOIN accounts_user u ON u.id = l.referrer_id
WHERE won.at >= %(start)s AND won.at < %(end)s AND l.deal_reversed_at IS NULL {scope}
GROUP BY l.deal_currency
"""
RAW_PROFILES = """
WITH won AS (
    SELECT DISTINCT target_id::bigint AS lead_id
    FROM audit_auditevent WHERE action LIKE 'lead.%%' AND to_state = 'won'
)
SELECT l.referrer_id, count(*), count(won.lead_id), avg(l.deal_value) FILTER (WHERE won.lead_id IS NOT NULL)
FROM leads_lead l LEFT JOIN won ON won.lead_id = l.id JOIN accounts_user u ON u.id = l.referrer_id
WHERE l.submitted_at >= %(start)s AND l.submitted_at < %(end)s {scope}
GROUP BY l.referrer_id
"""
RAW_POINTS = """
SELECT e.participant_id, sum(e.amount) FROM rewards_ledgerentry e
JOIN accounts_user u ON u.id = e.participant_id JOIN leads_lead l ON l.id = e.lead_id
WHERE e.created_at >= %(start)s AND e.created_at < %(end)s {scope}
GROUP BY e.participant_id
"""


# --- child: seed, rebuild, measure (Django, DEBUG off) -----------------------------------


def ms(seconds: list[float]) -> dict:
    xs = sorted(s * 1000 for s in seconds)
    return {
        "p50": statistics.median(xs),
        "p95": xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))],
        "n": len(xs),
    }


def child_seed() -> dict:
    import django

    django.setup()
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone

    from portal.accounts.models import PartnerOrganisation, Team, User
    from portal.accounts.roles import Role
    from portal.leads.models import Lead, Program, ReferralLink
    from tests.factories import give_role

    teams = Team.objects.bulk_create(Team(name=f"Team {i}") for i in range(TEAMS))
    orgs = PartnerOrganisation.objects.bulk_create(
        PartnerOrganisation(name=f"Partner {i:03d}", email_domain=f"p{i}.example", tier="")
        for i in range(ORGANISATIONS)
    )
    programs = [
        Program.objects.create(
            name=f"Bench program {i}",
            slug=f"bench-{i}",
            starts_on=timezone.localdate().replace(year=timezone.localdate().year - 2),
        )
        for i in range(PROGRAMS)
    ]
    people = []
    for k in range(REFERRERS):
        partner = k % 10 == 0
        people.append(
            User(
                email=f"referrer{k}@bench.example",
                first_name="Bench",
                last_name=f"Referrer {k}",
                password="!",
                team=None if partner else teams[k % TEAMS],
                partner_organisation=orgs[(k // 10) % ORGANISATIONS] if partner else None,
            )
        )
    User.objects.bulk_create(people, batch_size=5000)
    u0 = User.objects.order_by("pk").values_list("pk", flat=True).first()
    links = ReferralLink.objects.bulk_create(
        (ReferralLink(user_id=u0 + k, code=f"b{k}") for k in range(REFERRERS)), batch_size=5000
    )
    give_role(User.objects.create(email="reviewer@bench.example"), Role.REVIEWER)
    manager = give_role(User.objects.create(email="manager@bench.example"), Role.MANAGER)
    teams[1].managers.add(manager)
    admin = User.objects.get(email="referrer10@bench.example")  # organisation 1
    admin.is_partner_admin = True
    admin.save(update_fields=["is_partner_admin"])
    tables = ("leads_lead", "audit_auditevent", "rewards_ledgerentry", "leads_linkvisit")
    steps: dict[str, float] = {}
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # ids right by construction
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '1GB'")
        # Bulk loading into bare tables, indexes built once afterwards: the secondary
        # indexes (not those behind a key or constraint) are dropped and recreated.
        cur.execute(
            """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
               AND indexname NOT IN (SELECT conname FROM pg_constraint)""",
            [list(tables)],
        )
        indexes = cur.fetchall()
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        t = time.perf_counter()
        cur.execute(
            SEED_LEADS,
            {
                "p0": programs[0].pk,
                "programs": PROGRAMS,
                "u0": u0,
                "o0": orgs[0].pk,
                "orgs": ORGANISATIONS,
                "referrers": REFERRERS,
                "n": LEADS,
            },
        )
        steps["leads"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute(SEED_AUDIT, {"ct": ContentType.objects.get_for_model(Lead).pk})
        steps["audit trail"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute("SELECT min(id) FROM leads_lead")
        l0 = cur.fetchone()[0]
        cur.execute(SEED_LEDGER, {"n": ENTRIES, "l0": l0, "leads": LEADS})
        steps["ledger"] = time.perf_counter() - t
        t = time.perf_counter()
        cur.execute(SEED_VISITS, {"k0": links[0].pk, "links": REFERRERS, "n": LEADS})
        steps["visits"] = time.perf_counter() - t
        t = time.perf_counter()
        for _, definition in indexes:
            cur.execute(definition)
        steps[f"{len(indexes)} indexes"] = time.perf_counter() - t
        cur.execute("RESET session_replication_role")
        t = time.perf_counter()
        for table in tables:
            cur.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - our own table names
        steps["vacuum analyze"] = time.perf_counter() - t
    return {
        "steps": steps,
        "leads": Lead.objects.count(),
        "entries": connection.cursor()
        .execute("SELECT count(*) FROM rewards_ledgerentry")
        .fetchone()[0],
        "referrers": REFERRERS,
    }


def child_measure() -> dict:
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.insight.forms import period_bounds
    from portal.insight.selectors import (
        InsightFilters,
        InsightScope,
        insight_funnel,
        insight_money,
    )
    from portal.insight.services import insight_rebuild

    t0 = time.perf_counter()
    counts = insight_rebuild() if REBUILD else {}
    rebuild_s = time.perf_counter() - t0
    with connection.cursor() as cur:
        for table in (
            "insight_leadfact",
            "insight_leaddaily",
            "insight_referrermonth",
            "insight_funneldaily",
            "insight_stepduration",
            "insight_revenuedaily",
            "insight_pointsdaily",
        ):
            cur.execute(f"VACUUM ANALYZE {table}")  # noqa: S608 - our own table names

    reviewer = User.objects.get(email="reviewer@bench.example")
    manager = User.objects.get(email="manager@bench.example")
    admin = User.objects.get(email="referrer10@bench.example")
    team_id = manager.managed_teams.get().pk
    org_id = admin.partner_organisation_id
    scopes = {
        "reviewer": ("", InsightScope(everything=True)),
        "manager": (f"AND u.team_id = {int(team_id)}", InsightScope(team_ids=(team_id,))),
        "partner admin": (
            f"AND l.organisation_id = {int(org_id)}",
            InsightScope(organisation_id=org_id),
        ),
    }
    people = {"reviewer": reviewer, "manager": manager, "partner admin": admin}
    pages = [
        ("reviewer", "/insight/", "30d"),
        ("reviewer", "/insight/?period=90d", "90d"),
        ("reviewer", "/insight/leads/?step=won", "30d"),
        ("reviewer", "/insight/?format=csv&table=profiles", "30d"),  # reference only
        ("manager", "/insight/", "30d"),
        ("manager", "/insight/?period=90d", "90d"),
        ("partner admin", "/insight/", "30d"),
        ("partner admin", "/insight/?period=90d", "90d"),
    ]
    today = timezone.localdate()
    # Static URLs without the collected manifest (the page's time is the same).
    from django.test.utils import override_settings

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    results = []
    raw_cache: dict[tuple[str, str], dict] = {}
    for who, url, period in pages:
        client = Client()
        client.force_login(people[who])
        for _ in range(3):  # warm
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise Broken(f"{who} {url}: {response.status_code}")
        captured: list[tuple[float, str]] = []

        def timed(execute, sql, params, many, context, captured=captured):
            t = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((time.perf_counter() - t, sql[:140]))

        with connection.execute_wrapper(timed):
            client.get(url, secure=True)
        times = []
        for _ in range(ITERATIONS):
            t = time.perf_counter()
            client.get(url, secure=True)
            times.append(time.perf_counter() - t)
        key = (who, period)
        if key not in raw_cache:
            start, end = period_bounds(period, today)
            from portal.core.dates import local_midnight

            params = {
                "start": local_midnight(start),
                "end": local_midnight(end + timedelta(days=1)),
            }
            scope_sql, scope = scopes[who]
            raw_times, funnel, revenue = [], None, None
            for _ in range(SQL_REPEATS):
                t = time.perf_counter()
                with connection.cursor() as cur:
                    cur.execute(RAW_FUNNEL.format(scope=scope_sql), params)
                    funnel = {r[0]: list(r[1:]) for r in cur.fetchall()}
                    cur.execute(RAW_REVENUE.format(scope=scope_sql), params)
                    revenue = {r[0]: [r[2], r[1]] for r in cur.fetchall()}
                    cur.execute(RAW_PROFILES.format(scope=scope_sql), params)
                    cur.fetchall()
                    cur.execute(RAW_POINTS.format(scope=scope_sql), params)
                    cur.fetchall()
                raw_times.append(time.perf_counter() - t)
            rows = insight_funnel(scope=scope, filters=InsightFilters(start=start, end=end))
            rolled = {r.source: [r.submitted, r.qualified, r.won] for r in rows if r.source}
            rolled = {k: v for k, v in rolled.items() if v[0]}
            if rolled != funnel:
                raise Broken(f"{who} {period}: rollups {rolled} != raw SQL {funnel}")
            filters = InsightFilters(start=start, end=end)
            money_rows = insight_money(scope=scope, filters=filters)
            rolled_money = {r.currency: [r.won, r.revenue] for r in money_rows if r.won}
            if rolled_money != revenue:
                raise Broken(f"{who} {period}: revenue {rolled_money} != raw SQL {revenue}")
            raw_cache[key] = {"raw_s": raw_times, "funnel": funnel}
        results.append(
            {
                "who": who,
                "url": url,
                "page": ms(times),
                "queries": len(captured),
                "slowest": sorted(captured, reverse=True)[:3],
                **raw_cache[key],
            }
        )
    return {"rebuild_s": rebuild_s, "rollups": counts, "pages": results}


# --- main -------------------------------------------------------------------------------


def django_env(tmp: Path) -> dict[str, str]:
    return {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DEBUG": "false",
        # Stable for one bench database, so that BENCH_INSIGHT_REUSE can read the secrets
        # stored by the run that seeded it (the encryption key derives from it).
        "SECRET_KEY": hashlib.sha256(f"vouch-bench-insight:{DB}".encode()).hexdigest(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": f"{PG_URL}/{DB}",
        "MEDIA_ROOT": str(tmp / "media"),
        "TIME_ZONE": TIME_ZONE,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }


def report(result: dict) -> bool:
    print(
        f"\ninsight_rebuild(): {result['rebuild_s']:.1f} s "
        f"({', '.join(f'{k} {v:,}' for k, v in result['rollups'].items())})"
    )
    print(
        f"\n{'page (server time, in-process)':<52} {'p50':>8} {'p95':>8} {'raw SQL':>9} "
        f"{'ratio':>7} {'queries':>8}"
    )
    failed = False
    for r in result["pages"]:
        raw = statistics.median(r["raw_s"]) * 1000
        ratio = raw / r["page"]["p95"]
        label = f"{r['who']}: {r['url']}"
        print(
            f"{label:<52} {r['page']['p50']:>8.1f} {r['page']['p95']:>8.1f} {raw:>9.1f} "
            f"{ratio:>6.1f}x {r['queries']:>8}"
        )
        for seconds, sql in r["slowest"]:
            print(f"      {seconds * 1000:7.1f} ms  {sql}")
        if "format=csv" in r["url"]:
            print("   (reference, not budgeted: a download of every referrer, not a page)")
            continue
        ok_p95 = r["page"]["p95"] < P95_BUDGET_MS
        ok_ratio = ratio >= RAW_RATIO_BUDGET
        failed |= not (ok_p95 and ok_ratio)
        print(
            f"   {'PASS' if ok_p95 else 'FAIL'}: p95 {r['page']['p95']:.1f} ms "
            f"(budget: under {P95_BUDGET_MS:.0f} ms); "
            f"{'PASS' if ok_ratio else 'FAIL'}: {ratio:.1f}x faster than raw SQL "
            f"(budget: at least {RAW_RATIO_BUDGET:.0f}x)"
        )
    return failed


def main() -> int:
    started = time.monotonic()
    print(
        f"Insight at scale: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; "
        f"PostgreSQL {PG_URL}/{DB}; {LEADS:,} leads, {ENTRIES:,} ledger entries, "
        f"{REFERRERS:,} referrers; {ITERATIONS} requests per page",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="vouch-bench-insight-"))
    atexit.register(shutil.rmtree, tmp, True)
    env = django_env(tmp)
    if REUSE:
        print("== database: kept from the last run (BENCH_INSIGHT_REUSE), migrating", flush=True)
        run([PYTHON, "manage.py", "migrate", "--no-input"], env, "migrate", timeout=600)
    else:
        print("== database: recreating, migrating", flush=True)
        recreate_database(DB)
        run([PYTHON, "manage.py", "migrate", "--no-input"], env, "migrate", timeout=600)
        print("== seeding (SQL)", flush=True)
        t0 = time.perf_counter()
        seeded = run_child(Path(__file__).resolve(), env, "seed", "seed", timeout=7200)
        print(
            f"   {seeded['leads']:,} leads, {seeded['entries']:,} ledger entries in "
            f"{time.perf_counter() - t0:.0f} s "
            f"({', '.join(f'{k} {v:.0f} s' for k, v in seeded['steps'].items())})",
            flush=True,
        )
    print("== insight_rebuild(), then each page against raw SQL", flush=True)
    result = run_child(Path(__file__).resolve(), env, "measure", "measure", timeout=7200)
    report(result)
    print(f"\n(run took {time.monotonic() - started:.0f} s; load now {os.getloadavg()[0]:.2f})")
    return 0


def child_main(args: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["seed", "measure"])
    mode = parser.parse_args(args).mode
    sys.path.insert(0, str(ROOT))
    result = child_seed() if mode == "seed" else child_measure()
    print("BENCH_RESULT " + json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    try:
        if sys.argv[1:2] == ["--child"]:
            sys.exit(child_main(sys.argv[2:]))
        sys.exit(main())
    except Broken as exc:
        print(f"BROKEN: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
