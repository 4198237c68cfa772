"""Trellis: an open-source, self-hostable personalized-learning platform for school districts.

The package has one pure-Python core, :mod:`trellis.engine` (competency maps, learner models,
assessment, planning, grouping, scheduling), and one Django app per area that persists and
serves it. See ``DEVELOPERS.md`` for the layout and the rules every change follows.
"""

__version__ = "0.1.0"
