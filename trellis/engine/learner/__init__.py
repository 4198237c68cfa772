"""Learner models: per-student, per-skill mastery from response evidence (knowledge tracing).

* :mod:`.log` — the response log (columnar arrays) and its CSV loader;
* :mod:`.base` — the estimator contract shared by every model (fit, online update, mastery);
* :mod:`.logistic` — :class:`BestLRPlus`, the default model (logistic regression over the
  student's history);
* :mod:`.bkt` — :class:`BKT`, Bayesian Knowledge Tracing fitted by a vectorised EM;
* :mod:`.protocol` — the student-fold evaluation protocol and its metrics.

See ``docs/learner-model.md``.
"""

from trellis.engine.learner.base import MODELS, LearnerModel, NotFittedError, State
from trellis.engine.learner.bkt import BKT
from trellis.engine.learner.log import LogFormatError, ResponseLog, load_log
from trellis.engine.learner.logistic import BestLRPlus

DEFAULT_MODEL = BestLRPlus.name

__all__ = [
    "BKT",
    "DEFAULT_MODEL",
    "MODELS",
    "BestLRPlus",
    "LearnerModel",
    "LogFormatError",
    "NotFittedError",
    "ResponseLog",
    "State",
    "load_log",
]
