"""The one error every permission-checked read raises.

``access_*`` functions raise :class:`NotFound` both when an object does not exist and when the
person may not see it, so ids cannot be probed; the middleware (:mod:`trellis.core.middleware`)
turns it into the friendly not-found page and the API into a 404. It lives at the bottom of
the house so that every app, and the middleware, can raise and catch it.
"""


class NotFound(Exception):
    """The object does not exist, or the user may not see it (deliberately the same)."""
