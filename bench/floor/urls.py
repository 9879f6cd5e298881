# SPDX-License-Identifier: AGPL-3.0-or-later
from bare.urls import insert as bare_insert
from django.contrib.auth.decorators import login_required
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

# The bare view itself, for a signed-in user. login_required copies the bare view's CSRF
# exemption onto its wrapper: the floor takes it back, so CSRF is checked as on every
# portal form.
insert = login_required(bare_insert)
insert.csrf_exempt = False  # type: ignore[attr-defined]

urlpatterns = [path("floor/insert/", insert), *portal_urlpatterns]
