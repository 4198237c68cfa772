"""Sign-in lockouts: the Locked accounts page and its Unlock button (district admins only, for
the people of their own district)."""

from __future__ import annotations

from tests.access_matrix import ANY, DISTRICT, Endpoint, by_id
from tests.world import World

person_target = by_id("person_id", World.student)

ENDPOINTS = [
    Endpoint("locked-accounts", {"district_admin": ANY}),
    # unlocking someone who is not locked is a harmless no-op that answers with the page again
    Endpoint(
        "locked-account-unlock",
        {"district_admin": DISTRICT},
        target=person_target, method="POST", ok_status=302,
    ),
]
