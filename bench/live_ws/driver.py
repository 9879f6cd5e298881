# SPDX-License-Identifier: AGPL-3.0-or-later
"""The side of bench/live_fanout.py that acts: a Django process on the benchmark's database
and Redis, like a web worker that approves a lead.

``python -m live_ws.driver --setup N`` creates the data (a reviewer, a manager, a program
whose qualified leads earn points, ten referrers with a qualified lead, N referrers each
with one submitted lead, a TV screen on the board) and prints it as one JSON line.

``python -m live_ws.driver`` reads one JSON command a line on stdin and answers one JSON
line on stdout (its own copy of it: anything the portal prints goes to stderr):

- ``{"cmd": "qualify", "lead": id, "points": p}``: sets the program's points for a
  qualified lead to p (not timed), then times ``lead_qualify`` by the reviewer: t0 just
  before the call, t1 after it returned, and every board push and ``board_entry_committed``
  call in between (start and end; the pushes are the portal's own ``live_broadcast``,
  wrapped here to note the time);
- ``{"cmd": "bare", "text": s}``: one ``group_send`` to the bare group, timed the same way
  (through ``async_to_sync`` as ``live_broadcast`` does it);
- ``{"cmd": "quit"}``.

Times are ``time.monotonic()``: one clock for every process on the machine.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta

BOARD_ID = "everyone.points.month"
VETERANS = 10  # on the boards before the measured referrers


def setup(n: int) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from leaderboard.push import board_group
    from leaderboard.ranking import Board
    from leaderboard.screens import tv_screen_create
    from portal.accounts.display import Audience
    from portal.accounts.models import User
    from portal.accounts.roles import STAFF_GROUPS, Role, ensure_role_groups
    from portal.leads.models import Lead, Program
    from portal.leads.services import lead_qualify, lead_submit
    from portal.rewards.models import PointRule

    ensure_role_groups()
    staff = {}
    for role in (Role.MANAGER, Role.REVIEWER):
        user = User(
            email=f"bench-live-{role.value}@demo.vouch.test",
            first_name="Bench",
            last_name=str(role.label),
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=STAFF_GROUPS[role]))
        staff[role] = user
    program = Program.objects.create(
        name="Bench live",
        slug="bench-live",
        audience="both",
        starts_on=timezone.localdate() - timedelta(days=30),
        rule_daily_cap="off",
    )
    # With a rule of its own the program gives points only for a qualified lead (none on
    # submission): only the measured actions move the boards.
    PointRule.objects.create(program=program, event="qualified", beneficiary="referrer", points=1)
    leads = []
    for i in range(VETERANS + n):
        referrer = User(
            email=f"bench-live-referrer-{i:03d}@demo.vouch.test",
            first_name="Live",
            last_name=f"Referrer {i:03d}",
        )
        referrer.set_unusable_password()
        referrer.save()
        EmailAddress.objects.create(
            user=referrer, email=referrer.email, verified=True, primary=True
        )
        lead = lead_submit(
            referrer=referrer,
            program=program,
            data={
                "name": f"Prospect {i:03d}",
                "email": f"prospect{i:03d}@company{i:03d}.example",
                "company": f"Company {i:03d}",
                "notes": "Met at the trade fair.",
                "consent": "on",
            },
        )
        if lead.status != "submitted":
            raise RuntimeError(f"lead {lead.pk} is {lead.status}: {lead.flags}")
        leads.append([lead.pk, referrer.pk])
    # Ten referrers with one qualified lead (1 point) each, before the measured ones: they
    # fill the top 10 of the "qualified leads" boards, so every measured action changes
    # the same boards (the 8 points boards of everyone and employees), not 16 for the first
    # ten actions and 8 after; and they are the board's tail of every diff.
    for lead_id, _referrer_id in leads[:VETERANS]:
        lead_qualify(lead=Lead.objects.get(pk=lead_id), actor=staff[Role.REVIEWER])
    _screen, token = tv_screen_create(actor=staff[Role.MANAGER], name="Bench TV", boards=BOARD_ID)
    return {
        "board": BOARD_ID,
        # A TV link is the partner audience.
        "group": board_group(Board.parse(BOARD_ID).id, Audience.PARTNER),
        "token": token,
        "leads": leads[VETERANS:],
    }


def serve(out) -> None:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    import leaderboard.handlers as handlers
    import leaderboard.push as push
    from portal.accounts.models import User
    from portal.leads.models import Lead
    from portal.leads.services import lead_qualify
    from portal.rewards.models import PointRule

    events: list[list] = []
    send, board_entries_apply = push._send, handlers.board_entries_apply

    def timed_send(messages, board_id=None):
        start = time.monotonic()
        send(messages, board_id)
        end = time.monotonic()
        events.extend(["push", m[0], start, end] for m in messages)

    def timed_apply(*, entry_ids):
        start = time.monotonic()
        events.append(["committed", None, start, start])
        return board_entries_apply(entry_ids=entry_ids)

    # Module attributes, looked up at call time (every push goes through push._send; the
    # points.recorded handler calls board_entries_apply by its global name).
    push._send, handlers.board_entries_apply = timed_send, timed_apply

    reviewer = User.objects.get(email="bench-live-reviewer@demo.vouch.test")
    layer = get_channel_layer()
    print(json.dumps({"ready": True, "layer": type(layer).__module__}), file=out, flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["cmd"] == "quit":
            break
        events.clear()
        if command["cmd"] == "qualify":
            lead = Lead.objects.select_related("program").get(pk=command["lead"])
            PointRule.objects.filter(program=lead.program, event="qualified").update(
                points=command["points"]
            )
            # Actions are spaced more than PUSH_WINDOW_SECONDS apart; forget the window
            # anyway, so that the leading push always goes at once.
            from leaderboard import store

            store.client().delete(
                f"{store.KEY_PREFIX}:push:{BOARD_ID}", f"{store.KEY_PREFIX}:trail:{BOARD_ID}"
            )
            t0 = time.monotonic()
            lead_qualify(lead=lead, actor=reviewer)
            t1 = time.monotonic()
        elif command["cmd"] == "bare":
            message = {"type": "bare.message", "text": command["text"]}
            t0 = time.monotonic()
            async_to_sync(layer.group_send)("bare", message)
            t1 = time.monotonic()
        else:
            raise ValueError(command)
        print(json.dumps({"t0": t0, "t1": t1, "events": events}), file=out, flush=True)


def main() -> None:
    # The answers go to a copy of stdout; stdout itself (anything the portal prints) to stderr.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    import django

    django.setup()
    if sys.argv[1:2] == ["--setup"]:
        print(json.dumps(setup(int(sys.argv[2]))), file=out, flush=True)
    else:
        serve(out)


if __name__ == "__main__":
    main()
