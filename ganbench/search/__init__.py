"""Hyper-parameter search under a tuning budget (Lucic et al. 2018; Dodge et al. 2019).

The pure core of a suite's ``search:`` section: search spaces and their syntax
(:mod:`.space`), the parsed section (:mod:`.spec`), deterministic trial sampling
and applying a trial to a config (:mod:`.sampler`), and the expected best metric
after k trials with a bootstrap band (:mod:`.expected_max`). The report side
(:mod:`.trials`: trial frames and best-trial selection; :mod:`.report`: the search
page) imports pandas and matplotlib, so it is not imported here.
"""

from ganbench.search.expected_max import (
    bootstrap_band,
    expected_max,
    expected_max_without_replacement,
    failure_probability,
)
from ganbench.search.sampler import SAMPLERS, apply_trial, sample_trials
from ganbench.search.space import (
    Choice,
    Distribution,
    IntRange,
    LogUniform,
    SearchSpace,
    Uniform,
    parse_distribution,
    parse_space,
)
from ganbench.search.spec import SearchSpec, parse_search

__all__ = [
    "SAMPLERS",
    "Choice",
    "Distribution",
    "IntRange",
    "LogUniform",
    "SearchSpace",
    "SearchSpec",
    "Uniform",
    "apply_trial",
    "bootstrap_band",
    "expected_max",
    "expected_max_without_replacement",
    "failure_probability",
    "parse_distribution",
    "parse_search",
    "parse_space",
    "sample_trials",
]
