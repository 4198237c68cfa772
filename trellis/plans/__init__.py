"""Personalized learning plans in the platform: goals, teacher edits, activity choices,
reflections, learner profiles, project proposals scored on a rubric, and the district's
mastery rule and term calendar. The plan itself is computed by :mod:`trellis.engine.planning`
(see ``docs/plans-in-the-platform.md``)."""
