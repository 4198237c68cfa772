"""Tests of the learner model inside the platform (trellis/learning)."""
