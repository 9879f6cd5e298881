# SPDX-License-Identifier: AGPL-3.0-or-later
from tests.portal.payouts.conftest import flat_plan, percent_plan, second_finance  # noqa: F401
