"""GAN objectives, one module per family, all in the ``OBJECTIVES`` registry."""

from ganbench.objectives import classic as classic
from ganbench.objectives import fgan as fgan
from ganbench.objectives import hinge as hinge
from ganbench.objectives import least_squares as least_squares
from ganbench.objectives import relativistic as relativistic
from ganbench.objectives import wasserstein as wasserstein
from ganbench.objectives.base import OBJECTIVES, MemberRandom, Objective

__all__ = ["OBJECTIVES", "MemberRandom", "Objective"]
