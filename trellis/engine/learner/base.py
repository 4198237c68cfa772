"""The estimator contract every learner model follows, in the scikit-learn spirit.

A learner model is fitted once on a response log and then used *online*, one answer at a time::

    model = BestLRPlus(random_state=0).fit(log)          # fitted attributes end in "_"
    state = model.initial_state("student-17")            # a plain, JSON-serialisable dict
    p = model.predict_proba(state, "item-3", ["7.NS.1"])  # P(correct) of the next answer
    model.update(state, "item-3", ["7.NS.1"], correct=1, timestamp=None)  # O(1), in place
    model.mastery(state, "7.NS.1")                        # in [0, 1]

``predict_log(log)`` replays a whole log under the evaluation protocol: each student's rows are
walked in ``seq`` order, each probability is computed *before* its answer is seen, and only that
student's earlier rows ever inform it. Parameters (not states) go to and from JSON with
``to_json()`` / ``from_json()``.

The state belongs to the caller (the platform keeps one per student); the model never keeps
per-student data of its own, which is what makes it safe to share between requests.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

from trellis.engine.learner.log import ResponseLog

State = dict[str, Any]
"""A student's learning state: a JSON-serialisable dict, owned and persisted by the caller."""

ModelT = TypeVar("ModelT", bound="LearnerModel")


class NotFittedError(RuntimeError):
    """The model was used before ``fit`` (or ``from_json``)."""


class LearnerModel(ABC):
    """Base class of every learner model (see the module docstring for the contract)."""

    name: ClassVar[str]

    def __init__(self, random_state: int | None = 0) -> None:
        self.random_state = random_state

    # -- fitting and parameters ---------------------------------------------------------------

    @abstractmethod
    def fit(self: ModelT, log: ResponseLog) -> ModelT:
        """Fit the parameters from scratch on ``log`` and return ``self``."""

    @abstractmethod
    def get_params_json(self) -> dict[str, Any]:
        """The fitted parameters as plain JSON data."""

    @abstractmethod
    def set_params_json(self, params: dict[str, Any]) -> None:
        """Restore fitted parameters from :meth:`get_params_json` data."""

    def to_json(self) -> str:
        self._check_fitted()
        return json.dumps({
            "model": self.name,
            "settings": self.get_settings(),
            "params": self.get_params_json(),
        })

    @classmethod
    def from_json(cls, text: str) -> LearnerModel:
        """Rebuild a fitted model from :meth:`to_json`; the model class is read from the text."""
        data = json.loads(text)
        model_class = MODELS.get(data.get("model"))
        if model_class is None:
            raise ValueError(f"unknown learner model {data.get('model')!r}")
        if cls is not LearnerModel and not issubclass(model_class, cls):
            raise ValueError(f"the JSON holds a {model_class.__name__}, not a {cls.__name__}")
        model = model_class(**data.get("settings", {}))
        model.set_params_json(data["params"])
        return model

    def get_settings(self) -> dict[str, Any]:
        """Constructor arguments (hyper-parameters), as JSON data."""
        return {"random_state": self.random_state}

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "params_")

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit() first")

    # -- online use ---------------------------------------------------------------------------

    @abstractmethod
    def initial_state(self, student: str = "") -> State:
        """The state of a student with no evidence yet."""

    @abstractmethod
    def predict_proba(self, state: State, item_id: str, skill_ids: Sequence[str]) -> float:
        """P(correct) of the student's next answer to ``item_id``; ``state`` is not changed."""

    @abstractmethod
    def update(self, state: State, item_id: str, skill_ids: Sequence[str], correct: int,
               timestamp: float | None = None) -> State:
        """Fold one observed answer into ``state`` (in place, O(1)); returns ``state``."""

    @abstractmethod
    def mastery(self, state: State, skill: str) -> float:
        """The student's mastery of ``skill``, in [0, 1] (each model documents its meaning)."""

    # -- batch use ----------------------------------------------------------------------------

    def predict_log(self, log: ResponseLog) -> npt.NDArray[np.float64]:
        """P(correct) for every row of ``log`` (same order), each before its answer is seen.

        The default replays :meth:`predict_proba`/:meth:`update` row by row; models override it
        with an equivalent vectorised computation.
        """
        self._check_fitted()
        out = np.empty(len(log), dtype=np.float64)
        states: dict[str, State] = {}
        for row in log.time_order():
            student = str(log.student[row])
            state = states.get(student)
            if state is None:
                state = states[student] = self.initial_state(student)
            item, skills = str(log.item[row]), log.skills_of(int(row))
            out[row] = self.predict_proba(state, item, skills)
            stamp = float(log.timestamp[row])
            self.update(state, item, skills, int(log.correct[row]),
                        None if np.isnan(stamp) else stamp)
        return out


MODELS: dict[str, type[LearnerModel]] = {}
"""Registered models by name (``trellis learner ... --model NAME``)."""


def register_model(model_class: type[ModelT]) -> type[ModelT]:
    MODELS[model_class.name] = model_class
    return model_class
