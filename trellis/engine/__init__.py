"""The pure-Python domain core of Trellis.

Nothing here imports Django or any other part of :mod:`trellis` (import-linter enforces it), so
every model, planner and solver can be tested, benchmarked and reused without a database. Django
apps turn ORM rows into these dataclasses (``adapters.py``) and persist what comes back.
"""
