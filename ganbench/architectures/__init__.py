"""Architectures: ensemble-aware generator/discriminator builders in ``ARCHITECTURES``."""

from ganbench.architectures import dcgan as dcgan
from ganbench.architectures import mlp as mlp
from ganbench.architectures import resnet as resnet
from ganbench.architectures.base import ARCHITECTURES, GANPair, ModelContext

__all__ = ["ARCHITECTURES", "GANPair", "ModelContext"]
