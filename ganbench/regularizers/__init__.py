"""Discriminator regularizers, composable with any objective, in ``REGULARIZERS``."""

from ganbench.regularizers import clipping as clipping
from ganbench.regularizers import gradient as gradient
from ganbench.regularizers.base import REGULARIZERS, Regularizer
from ganbench.regularizers.penalties import gradient_penalty, input_gradient_norm, interpolate

__all__ = ["REGULARIZERS", "Regularizer", "gradient_penalty", "input_gradient_norm", "interpolate"]
