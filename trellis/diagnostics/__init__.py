"""The adaptive diagnostic in the platform: a student's check, its result, the class heatmap.

The engine (:mod:`trellis.engine.assessment`) chooses items and stops; this app stores each
session's engine document after every answer, records every answer as learner-model evidence,
shows the result on the skill map and gives teachers the class's results. See
``docs/diagnostic-in-the-platform.md``.
"""
