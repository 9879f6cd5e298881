# SPDX-License-Identifier: AGPL-3.0-or-later
"""Payout batch build and export against its limit (SPEC §14, "Payout").

A partner payout batch over 100,000 approved commissions of 2,000 payees (partner
organisations) is built and exported the way the portal does it: `payout_batch_build`
(eligible payees by GROUP BY, one UPDATE per chunk of payees, then the payout lines and
totals) and `payout_batch_approve` by a second finance user (the CSV export, streamed by
`payout_batch_write_csv`), called in-process on PostgreSQL with DEBUG off. In the same run,
on the same data reset to "approved, in no batch", plain SQL over psycopg does the same
work: the GROUP BY payee with the commission ids, COPY'd out to a file, and one UPDATE
putting the commissions into a batch (committed, then reset). It also times that UPDATE
on the table without its secondary indexes (rolled back), to compare with SPEC §14's
bracketed ~0.5 s. The script prints seconds, peak memory and the ratio, and checks the
budgets:

- built and exported in under 10 s;
- within 10x of plain SQL;
- flat memory: the build and export at 25,000 and at 100,000 commissions (same 2,000
  payees) peak at about the same Python memory (tracemalloc), not ~4x.

Every Django run is a fresh process: timed first (no tracing; peak RSS growth from
/proc/self/status VmHWM after resetting it with /proc/self/clear_refs, else
getrusage's ru_maxrss), then, on the data reset, again under tracemalloc (its peak is the
memory figure; tracing slows Python down, so that run is not timed for the budget). After
every reset the commission table is rewritten (VACUUM FULL ANALYZE) and checkpointed, so
every run starts from the same fresh copy of the data.

The data are checked: the 100,000-commission batch has 100,000 commissions, 2,000 payees
and the total of the seeded amounts; its CSV has 2,001 lines whose amounts add up to the
batch total exactly (Decimal) and whose ids are the 100,000 commissions, once each; the
plain SQL answers the same totals. A budget that fails is a measurement (exit 0); a
broken run (a failed check, a step that errors) exits 1.

Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432, a role that may
create databases), BENCH_REDIS_URL (default redis://127.0.0.1:6379/12: settings only,
nothing is queued). The database vouch_bench_payout is dropped and recreated on every run.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import json
import os
import re
import resource
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable

sys.path.insert(0, str(BENCH))
from lead_submit import PG_URL, Broken, base_env, pg, recreate_database, run, run_child  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
DB = "vouch_bench_payout"
TIME_ZONE = os.environ.get("TIME_ZONE") or "Europe/Helsinki"  # the portal's default
PAYEES = 2_000
FULL = 100_000
SMALL = 25_000  # the first SMALL commissions were approved earlier: a batch with an
SMALL_AGE_DAYS, FULL_AGE_DAYS = 10, 2  # earlier cut-off takes exactly those
SMALL_CUTOFF_DAYS = 6  # days before today
PAYOUT_MINIMUM = Decimal("50.00")
PLAIN_REPEATS = 3
SECONDS_BUDGET = 10.0
RATIO_BUDGET = 10.0
FLAT_BUDGET = 1.5  # peak at 4x the commissions: at most 1.5x the peak at 1x

COMMISSIONS = "payouts_commission"
RESET_SQL = [
    f"UPDATE {COMMISSIONS} SET status = 'approved', batch_id = NULL WHERE batch_id IS NOT NULL",
    "DELETE FROM payouts_payoutline",
    "DELETE FROM payouts_payoutbatch",
    f"VACUUM FULL ANALYZE {COMMISSIONS}",
    "VACUUM ANALYZE payouts_payoutline, payouts_payoutbatch",
    "CHECKPOINT",
]
# The build's eligibility filter (services.payout_batch_build, partner batches), in SQL.
ELIGIBLE = f"""
    status = 'approved' AND batch_id IS NULL AND currency = 'EUR'
    AND (approved_at AT TIME ZONE '{TIME_ZONE}')::date <= %(cutoff)s
    AND payee_org_id IS NOT NULL
    AND payee_org_id NOT IN (SELECT organisation_id FROM payouts_payeehold)
"""
PLAIN_GROUP = f"""
    COPY (
        SELECT payee_org_id, sum(amount), count(*), string_agg(id::text, ' ' ORDER BY id)
        FROM {COMMISSIONS} WHERE {ELIGIBLE}
        GROUP BY payee_org_id HAVING sum(amount) >= %(minimum)s ORDER BY payee_org_id
    ) TO STDOUT
"""
PLAIN_UPDATE = f"""
    UPDATE {COMMISSIONS} SET status = 'in_batch', batch_id = %(batch)s
    WHERE {ELIGIBLE} AND payee_org_id = ANY(%(payees)s::bigint[])
"""


# --- the Django side (child processes) ---------------------------------------------------


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django

    django.setup()


def clone_sql(model, template_pk: int, count: int, overrides: dict[str, str], source: str) -> str:
    """INSERT ... SELECT copying one template row `count` times: every concrete column is
    the template's unless `overrides` gives an SQL expression (over `g`, the row number
    1..count, and the aliases of `source`). New columns keep working without edits here."""
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    table = model._meta.db_table
    exprs = [overrides.get(c, f't."{c}"') for c in columns]
    return (
        f"INSERT INTO {table} ({', '.join(chr(34) + c + chr(34) for c in columns)}) "
        f"SELECT {', '.join(exprs)} FROM {table} t, {source} "
        f"WHERE t.id = {int(template_pk)}"
    )


def child_setup() -> dict:
    """Users, program, 2,000 organisations, 100,000 leads and commissions (not timed).
    One row of each is made through the ORM (so every column gets its real default) and
    cloned in SQL; the templates are deleted afterwards."""
    django_setup()
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.accounts.models import PartnerOrganisation, User
    from portal.accounts.roles import STAFF_GROUPS, Role, ensure_role_groups
    from portal.leads.models import Lead, Program
    from portal.payouts.models import Commission, CommissionEvent, CommissionStatus

    now = timezone.now()
    ensure_role_groups()
    finance = Group.objects.get(name=STAFF_GROUPS[Role.FINANCE])
    users = {}
    for key in ("referrer", "builder", "approver"):
        user = User(email=f"bench-{key}@demo.vouch.test", first_name="Bench", last_name=key.title())
        user.set_unusable_password()
        user.save()
        if key != "referrer":
            user.groups.add(finance)
        users[key] = user
    program = Program.objects.create(
        name="Bench payouts", slug="bench-payouts", starts_on=now.date() - timedelta(days=400)
    )
    org = PartnerOrganisation.objects.create(name="Bench template organisation")
    lead = Lead.objects.create(
        program=program,
        referrer=users["referrer"],
        organisation=org,
        name="Template prospect",
        company="Template Oy",
        consent=True,
        consent_text=program.consent_text,
        consent_at=now - timedelta(days=60),
        submitted_at=now - timedelta(days=60),
        status_changed_at=now - timedelta(days=40),
    )
    commission = Commission.objects.create(
        lead=lead,
        program=program,
        payee_org=org,
        event=CommissionEvent.QUALIFIED,
        amount=Decimal("1.00"),
        currency="EUR",
        plan_name="Bench flat",
        basis="Flat amount per qualified lead",
        status=CommissionStatus.APPROVED,
        hold_until=(now - timedelta(days=20)).date(),
        approved_at=now - timedelta(days=20),
        created_at=now - timedelta(days=50),
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT setseed(0.42)")
        cur.execute(
            clone_sql(
                PartnerOrganisation,
                org.pk,
                PAYEES,
                {
                    "name": "'Bench partner ' || lpad(g::text, 4, '0')",
                    "email_domain": "'partner' || g || '.example'",
                },
                f"generate_series(1, {PAYEES}) g",
            )
        )
        orgs = f"""(SELECT id AS org_id, row_number() OVER (ORDER BY id) - 1 AS k
                    FROM accounts_partnerorganisation WHERE id <> {org.pk}) o"""
        cur.execute(
            clone_sql(
                Lead,
                lead.pk,
                FULL,
                {
                    "name": "'Prospect ' || g",
                    "company": "'Company ' || g || ' Oy'",
                    "organisation_id": "o.org_id",
                },
                f"generate_series(1, {FULL}) g JOIN {orgs} ON o.k = (g - 1) % {PAYEES}",
            )
        )
        leads = f"""(SELECT id AS lead_id, organisation_id, row_number() OVER (ORDER BY id) AS g
                     FROM leads_lead WHERE id <> {lead.pk}) l"""
        # The first commission of each payee is 50.00-500.00 and every other one
        # 1.00-500.00: every payee is above the minimum at both sizes.
        approved = (
            f"date_trunc('day', now()) + interval '12 hours' - "
            f"CASE WHEN l.g <= {SMALL} THEN interval '{SMALL_AGE_DAYS} days' "
            f"ELSE interval '{FULL_AGE_DAYS} days' END"
        )
        cur.execute(
            clone_sql(
                Commission,
                commission.pk,
                FULL,
                {
                    "lead_id": "l.lead_id",
                    "payee_org_id": "l.organisation_id",
                    "amount": f"CASE WHEN l.g <= {PAYEES} THEN round((50 + random() * 450)::numeric, 2) "
                    "ELSE round((1 + random() * 499)::numeric, 2) END",
                    "approved_at": approved,
                    "created_at": f"({approved}) - interval '30 days'",
                    "hold_until": f"(({approved}) - interval '1 day')::date",
                },
                leads,
            )
        )
        cur.execute(f"DELETE FROM {COMMISSIONS} WHERE id = %s", [commission.pk])
        cur.execute("DELETE FROM leads_lead WHERE id = %s", [lead.pk])
        cur.execute("DELETE FROM accounts_partnerorganisation WHERE id = %s", [org.pk])
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {COMMISSIONS}, leads_lead, accounts_partnerorganisation")
    return {"builder": users["builder"].pk, "approver": users["approver"].pk}


def _proc_status() -> dict[str, int]:
    with open("/proc/self/status") as f:
        return {k: int(v) * 1024 for k, v in re.findall(r"^(VmHWM|VmRSS):\s+(\d+)", f.read(), re.M)}


class RssPeak:
    """Peak resident memory growth over a block: VmHWM (reset through clear_refs) minus
    VmRSS before; where that is not possible, ru_maxrss minus VmRSS before (an underestimate
    when the process was bigger before)."""

    def __enter__(self):
        self.how = "VmHWM"
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.before = _proc_status()["VmRSS"]
        except OSError:
            self.how = "ru_maxrss"
            self.before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        return self

    def __exit__(self, *exc):
        if self.how == "VmHWM":
            self.growth = _proc_status()["VmHWM"] - self.before
        else:
            self.growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - self.before
        return False


def child_measure(size: int, cutoff: str, builder: int, approver: int) -> dict:
    """Build and export once timed (RSS), reset, and once under tracemalloc."""
    django_setup()
    import tracemalloc
    from datetime import date

    from django.db import connection
    from django.db.models import Count, Sum

    from portal.accounts.models import User
    from portal.payouts.batches import payout_batch_approve, payout_batch_build
    from portal.payouts.models import Commission, PayoutBatch

    cutoff_day = date.fromisoformat(cutoff)
    expected = Commission.objects.filter(approved_at__date__lte=cutoff_day).aggregate(
        total=Sum("amount"), n=Count("pk"), payees=Count("payee_org", distinct=True)
    )
    if expected["n"] != size or expected["payees"] != PAYEES:
        raise Broken(f"seeded data: {expected} for cut-off {cutoff}, expected {size} / {PAYEES}")

    queries: list[tuple[float, str]] = []

    def timing(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - start, " ".join(sql.split())[:90]))

    def one_run(trace: bool) -> dict:
        builder_user = User.objects.get(pk=builder)
        approver_user = User.objects.get(pk=approver)
        batch = PayoutBatch.objects.create(
            kind="partners", currency="EUR", cutoff=cutoff_day, built_by=builder_user
        )
        queries.clear()
        if trace:
            tracemalloc.start()
        with RssPeak() as rss, connection.execute_wrapper(timing):
            t0 = time.perf_counter()
            batch = payout_batch_build(batch_id=batch.pk)
            t1 = time.perf_counter()
            if trace:
                build_peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.reset_peak()
            batch = payout_batch_approve(actor=approver_user, batch=batch)
            t2 = time.perf_counter()
        out = {
            "build_s": t1 - t0,
            "export_s": t2 - t1,
            "rss_growth": rss.growth,
            "rss_how": rss.how,
        }
        if trace:
            out["build_peak"], out["export_peak"] = build_peak, tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        else:
            slow = sorted(queries, reverse=True)[:6]
            out["queries"] = len(queries)
            out["query_s"] = sum(d for d, _ in queries)
            out["slowest"] = [[round(d, 4), s] for d, s in slow]
        check_batch(batch, size, expected["total"])
        out["total"] = str(batch.total)
        return out

    def reset():
        with connection.cursor() as cur:
            for sql in RESET_SQL:
                cur.execute(sql)

    timed = one_run(trace=False)
    reset()
    traced = one_run(trace=True)
    reset()
    return {"size": size, "timed": timed, "traced": traced}


def check_batch(batch, size: int, total: Decimal) -> None:
    """The batch holds every commission once, and its file adds up to the batch total."""
    from portal.payouts.models import BatchStatus, Commission

    problems = []
    if batch.status != BatchStatus.APPROVED:
        problems.append(f"status {batch.status}")
    if (batch.commission_count, batch.payee_count) != (size, PAYEES):
        problems.append(f"{batch.commission_count} commissions, {batch.payee_count} payees")
    if batch.total != total:
        problems.append(f"total {batch.total} != seeded {total}")
    in_batch = Commission.objects.filter(batch=batch, status="in_batch").count()
    if in_batch != size:
        problems.append(f"{in_batch} commissions in the batch")
    path = Path(batch.export.path)
    with open(path, "rb") as f:
        physical_lines = sum(1 for _ in f)
    csv_total, csv_count, ids = Decimal("0"), 0, set()
    rows = 0
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        for row in reader:
            rows += 1
            record = dict(zip(header, row, strict=True))
            row_ids = record["commission_ids"].split()
            if len(row_ids) != int(record["commission_count"]):
                problems.append(
                    f"payee {record['payee_id']}: {len(row_ids)} ids, count says {record['commission_count']}"
                )
                break
            csv_total += Decimal(record["amount"])
            csv_count += len(row_ids)
            ids.update(int(i) for i in row_ids)
    if physical_lines != PAYEES + 1 or rows != PAYEES:
        problems.append(
            f"CSV has {physical_lines} lines ({rows} payee rows), expected {PAYEES + 1}"
        )
    if csv_total != batch.total:
        problems.append(f"CSV amounts add up to {csv_total}, batch total {batch.total}")
    if csv_count != size or len(ids) != size:
        problems.append(f"CSV lists {csv_count} ids ({len(ids)} distinct), expected {size}")
    elif (
        set(
            Commission.objects.filter(batch=batch)
            .values_list("pk", flat=True)
            .iterator(chunk_size=10_000)
        )
        != ids
    ):
        problems.append("CSV ids are not the batch's commissions")
    if problems:
        raise Broken(f"batch #{batch.pk} at {size} commissions: " + "; ".join(problems))


# --- plain SQL (this process) ---------------------------------------------------------------


def plain_sql(cutoff: str, builder: int, expected_total: Decimal, tmp: Path) -> dict:
    """GROUP BY payee with the ids, COPY'd out to a file; then one UPDATE of the eligible
    commissions into a batch, committed (the build commits too), then reset. Timed
    separately; then the UPDATE again without the secondary indexes, rolled back."""
    params = {"cutoff": cutoff, "minimum": PAYOUT_MINIMUM}
    out_file = tmp / "plain.tsv"
    with pg(DB) as conn:
        conn.autocommit = False
        with conn.cursor() as cur:
            t0 = time.perf_counter()
            with open(out_file, "wb") as out, cur.copy(PLAIN_GROUP, params) as copy:
                for chunk in copy:
                    out.write(chunk)
            t1 = time.perf_counter()
        conn.rollback()  # a read: nothing to keep
        payees, total, count = [], Decimal("0"), 0
        with open(out_file) as f:
            for line in f:
                payee, amount, n, ids = line.rstrip("\n").split("\t")
                payees.append(int(payee))
                total += Decimal(amount)
                count += int(n)
                if len(ids.split()) != int(n):
                    raise Broken(f"plain SQL: payee {payee} lists {len(ids.split())} ids for {n}")
        if (len(payees), count, total) != (PAYEES, FULL, expected_total):
            raise Broken(f"plain SQL grouped {len(payees)} payees, {count} commissions, {total}")
        with conn.cursor() as cur:
            cur.execute(
                "INSERT INTO payouts_payoutbatch (kind, currency, cutoff, status, progress, error, total,"
                " payee_count, commission_count, export, built_by_id, created_at)"
                " VALUES ('partners', 'EUR', %s, 'failed', 0, '', 0, 0, 0, '', %s, now()) RETURNING id",
                [cutoff, builder],
            )
            batch = cur.fetchone()[0]
            t2 = time.perf_counter()
            cur.execute(PLAIN_UPDATE, {**params, "batch": batch, "payees": payees})
            updated = cur.rowcount
            conn.commit()  # the UPDATE's cost includes its commit (WAL flush), as the build's does
            t3 = time.perf_counter()
        conn.autocommit = True
        for sql in RESET_SQL:
            conn.execute(sql)
        # For comparison with SPEC §14's bracketed baseline: the same UPDATE on the table
        # without its secondary indexes (dropped in a transaction that is rolled back).
        with conn.transaction(force_rollback=True), conn.cursor() as cur:
            for sql in drop_secondary_indexes(cur):
                cur.execute(sql)
            cur.execute(
                "INSERT INTO payouts_payoutbatch (kind, currency, cutoff, status, progress, error, total,"
                " payee_count, commission_count, export, built_by_id, created_at)"
                " VALUES ('partners', 'EUR', %s, 'failed', 0, '', 0, 0, 0, '', %s, now()) RETURNING id",
                [cutoff, builder],
            )
            batch = cur.fetchone()[0]
            t4 = time.perf_counter()
            cur.execute(PLAIN_UPDATE, {**params, "batch": batch, "payees": payees})
            t5 = time.perf_counter()
            bare_updated = cur.rowcount
        for sql in RESET_SQL:
            conn.execute(sql)
    if updated != FULL or bare_updated != FULL:
        raise Broken(f"plain SQL UPDATE changed {updated} / {bare_updated} rows, expected {FULL}")
    return {"group_s": t1 - t0, "update_s": t3 - t2, "update_bare_s": t5 - t4}


def drop_secondary_indexes(cur) -> list[str]:
    """The statements dropping every index of the commission table but its primary key."""
    cur.execute(
        """SELECT i.relname, c.conname FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid
           LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                AND c.contype IN ('u', 'x')
           WHERE x.indrelid = %s::regclass AND NOT x.indisprimary""",
        [COMMISSIONS],
    )
    return [
        f'ALTER TABLE {COMMISSIONS} DROP CONSTRAINT "{con}"' if con else f'DROP INDEX "{index}"'
        for index, con in cur.fetchall()
    ]


# --- main -------------------------------------------------------------------------------


def django_env(tmp: Path) -> dict[str, str]:
    return {
        **base_env(),
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{PG_URL}/{DB}",
        "REDIS_URL": REDIS_URL,
        "MEDIA_ROOT": str(tmp / "media"),
        "PAYOUT_MINIMUM": str(PAYOUT_MINIMUM),
        "TIME_ZONE": TIME_ZONE,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def child(env: dict[str, str], what: str, *args: str) -> dict:
    return run_child(Path(__file__).resolve(), env, what, *args, timeout=300)


def mib(n: float) -> str:
    return f"{n / 2**20:.1f} MiB"


def report(small: dict, full: dict, plain: list[dict], indexes: int) -> None:
    t = full["timed"]
    django_s = t["build_s"] + t["export_s"]
    group_s = statistics.median(p["group_s"] for p in plain)
    update_s = statistics.median(p["update_s"] for p in plain)
    plain_s = statistics.median(p["group_s"] + p["update_s"] for p in plain)
    print()
    print(
        f"{'run':<34} {'seconds':>8} {'build':>7} {'export':>7} {'tracemalloc peak':>17} {'RSS growth':>11}"
    )
    for r in (small, full):
        tm, tr = r["timed"], r["traced"]
        peak = max(tr["build_peak"], tr["export_peak"])
        print(
            f"{'Django, ' + format(r['size'], ',') + ' commissions':<34} "
            f"{tm['build_s'] + tm['export_s']:>8.2f} {tm['build_s']:>7.2f} {tm['export_s']:>7.2f} "
            f"{mib(peak):>17} {mib(tm['rss_growth']):>11}"
        )
    print(
        f"{'plain SQL, ' + format(FULL, ',') + ' (median of ' + str(len(plain)) + ')':<34} "
        f"{plain_s:>8.2f} {update_s:>7.2f} {group_s:>7.2f}"
    )
    print("Django: build = payout_batch_build, export = payout_batch_approve (CSV to MEDIA_ROOT);")
    print("plain SQL: build = one UPDATE (and commit), export = GROUP BY payee + COPY to a file")
    print(
        f"  (each run: GROUP BY {', '.join(format(p['group_s'], '.3f') for p in plain)} s; "
        f"UPDATE {', '.join(format(p['update_s'], '.3f') for p in plain)} s)."
    )
    bare_s = statistics.median(p["update_bare_s"] for p in plain)
    print(
        f"The same UPDATE on the table with only its primary key (the other {indexes} indexes "
        f"dropped, rolled back): {bare_s:.2f} s; every UPDATE of status and batch_id writes an "
        f"entry into every index of the table (not HOT)."
    )
    for r in (small, full):
        tr = r["traced"]
        print(
            f"tracemalloc peak at {r['size']:,}: build {mib(tr['build_peak'])}, export "
            f"{mib(tr['export_peak'])} (traced run: {tr['build_s'] + tr['export_s']:.2f} s, slowed by tracing)"
        )
    print(f"RSS growth: {t['rss_how']} (peak resident memory during the timed run minus before).")
    print(
        f"SQL through Django's cursor in the timed {FULL:,} run: {t['queries']} statements, "
        f"{t['query_s']:.2f} s of the {django_s:.2f} s (server-side cursor fetches not included); slowest:"
    )
    for seconds, sql in t["slowest"]:
        print(f"  {seconds:7.3f} s  {sql}")

    ratio = django_s / plain_s
    small_peak = max(small["traced"]["build_peak"], small["traced"]["export_peak"])
    full_peak = max(full["traced"]["build_peak"], full["traced"]["export_peak"])
    growth = full_peak / small_peak if small_peak else float("inf")
    print()
    print(
        f"ratio Django/plain SQL at {FULL:,} commissions: {ratio:.1f}x ({django_s:.2f} s / {plain_s:.2f} s)"
    )
    print(
        f"  (against plain SQL on the table with only its primary key, GROUP BY + COPY + UPDATE "
        f"{group_s + bare_s:.2f} s: {django_s / (group_s + bare_s):.1f}x)"
    )
    print(
        f"{'PASS' if django_s < SECONDS_BUDGET else 'FAIL'}: built and exported {FULL:,} commissions "
        f"({PAYEES:,} payees) in {django_s:.2f} s (budget: under {SECONDS_BUDGET:.0f} s)"
    )
    print(
        f"{'PASS' if ratio <= RATIO_BUDGET else 'FAIL'}: {ratio:.1f}x plain SQL "
        f"(budget: within {RATIO_BUDGET:.0f}x)"
    )
    print(
        f"{'PASS' if growth <= FLAT_BUDGET else 'FAIL'}: flat memory: peak {mib(full_peak)} at {FULL:,} vs "
        f"{mib(small_peak)} at {SMALL:,} commissions = {growth:.2f}x for {FULL // SMALL}x the data "
        f"(budget: at most {FLAT_BUDGET}x)"
    )


def main() -> int:
    started = time.monotonic()
    load = os.getloadavg()
    print(
        f"Payout batch: {os.cpu_count()} cores, load {load[0]:.2f}; PostgreSQL {PG_URL}/{DB}; "
        f"{FULL:,} approved commissions of {PAYEES:,} payees (and {SMALL:,} for the memory check)",
        flush=True,
    )
    tmp = Path(tempfile.mkdtemp(prefix="vouch-bench-payout-"))
    atexit.register(shutil.rmtree, tmp, True)
    env = django_env(tmp)

    print("== database: recreating, migrating, seeding", flush=True)
    recreate_database(DB)
    run([PYTHON, "manage.py", "migrate", "--no-input"], env, "migrate", timeout=300)
    seeded = child(env, "seed", "setup")
    builder, approver = seeded["builder"], seeded["approver"]
    with pg(DB) as conn:
        for sql in RESET_SQL[3:]:
            conn.execute(sql)
        total = conn.execute(f"SELECT sum(amount) FROM {COMMISSIONS}").fetchone()[0]
        low = conn.execute(
            f"SELECT min(s), count(*) FROM (SELECT sum(amount) s FROM {COMMISSIONS} "
            f"WHERE approved_at < now() - interval '{SMALL_CUTOFF_DAYS} days' GROUP BY payee_org_id) x"
        ).fetchone()
    if low[1] != PAYEES or low[0] < PAYOUT_MINIMUM:
        raise Broken(f"the first {SMALL:,} commissions: {low[1]} payees, lowest total {low[0]}")

    today = time.strftime("%Y-%m-%d")  # only for plain SQL's cut-off: everything is days older
    small_cutoff = time.strftime(
        "%Y-%m-%d", time.localtime(time.time() - SMALL_CUTOFF_DAYS * 86400)
    )

    plain = []
    for i in range(PLAIN_REPEATS):
        print(f"== plain SQL: GROUP BY + COPY, UPDATE ({i + 1}/{PLAIN_REPEATS})", flush=True)
        plain.append(plain_sql(today, builder, total, tmp))
    print(f"== Django: {SMALL:,} commissions (timed, then traced)", flush=True)
    small = child(
        env, "Django small", "measure", str(SMALL), small_cutoff, str(builder), str(approver)
    )
    print(f"== Django: {FULL:,} commissions (timed, then traced)", flush=True)
    full = child(env, "Django full", "measure", str(FULL), today, str(builder), str(approver))
    if Decimal(full["timed"]["total"]) != total:
        raise Broken(f"batch total {full['timed']['total']} != seeded {total}")

    with pg(DB) as conn, conn.cursor() as cur:
        indexes = len(drop_secondary_indexes(cur))
    report(small, full, plain, indexes)
    print(f"\n(run took {time.monotonic() - started:.0f} s)")
    return 0


def child_main(args: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["setup", "measure"])
    parser.add_argument("rest", nargs="*")
    opts = parser.parse_args(args)
    if opts.mode == "setup":
        result = child_setup()
    else:
        size, cutoff, builder, approver = opts.rest
        result = child_measure(int(size), cutoff, int(builder), int(approver))
    print("BENCH_RESULT " + json.dumps(result), flush=True)
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
