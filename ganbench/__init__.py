"""ganbench: a benchmarking and evaluation suite for generative adversarial networks."""

__version__ = "0.1.0"
