"""Personalized learning plans: goals, pathway, playlists, pace and mode of instruction.

The entry point is :func:`build_plan`, a pure function from one learner's mastery state, the
competency map, their goals, the activities available and the term calendar to a
:class:`LearningPlan` whose :meth:`LearningPlan.to_dict` is the JSON pages, the API and
``trellis plan show`` use. ``docs/learning-plans.md`` describes the rules in words.
"""

from trellis.engine.planning.calendar import CalendarError, TermCalendar
from trellis.engine.planning.goals import smart_prompts
from trellis.engine.planning.inputs import (
    MODALITIES,
    MODES,
    Activity,
    Goal,
    LearnerProfile,
    Modality,
    Mode,
    PlanEdit,
    PlanInputError,
    PlanPolicy,
)
from trellis.engine.planning.modes import choose_mode, ready_classmates
from trellis.engine.planning.pace import (
    LearningRate,
    grade_rank,
    observed_learning_rate,
    standards_below_grade,
    standards_of_grade,
)
from trellis.engine.planning.parts import planning_graph, sub_standards
from trellis.engine.planning.plan import (
    GoalProgress,
    IgnoredEdit,
    LearningPlan,
    PaceSummary,
    PlanFlag,
    PlanStep,
    build_plan,
)
from trellis.engine.planning.playlists import ActivityChoice, rank_activities

__all__ = [
    "MODALITIES",
    "MODES",
    "Activity",
    "ActivityChoice",
    "CalendarError",
    "Goal",
    "GoalProgress",
    "IgnoredEdit",
    "LearnerProfile",
    "LearningPlan",
    "LearningRate",
    "Modality",
    "Mode",
    "PaceSummary",
    "PlanEdit",
    "PlanFlag",
    "PlanInputError",
    "PlanPolicy",
    "PlanStep",
    "TermCalendar",
    "build_plan",
    "choose_mode",
    "grade_rank",
    "observed_learning_rate",
    "planning_graph",
    "rank_activities",
    "ready_classmates",
    "smart_prompts",
    "standards_below_grade",
    "standards_of_grade",
    "sub_standards",
]
