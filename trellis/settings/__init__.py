"""Settings: ``base`` holds everything shared; ``dev``, ``test`` and ``prod`` adjust it.

Every setting a district operator may change is a ``TRELLIS_*`` environment variable, read and
documented once, here in ``base.py`` (the README lists them). Secrets come only from the
environment.
"""
