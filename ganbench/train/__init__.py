"""Training: configuration, batch streams and the ensemble training loop."""

from ganbench.train.config import EvalConfig, TrainConfig
from ganbench.train.loop import Member, MemberResult, TrainedEnsemble, train_ensemble

__all__ = [
    "EvalConfig",
    "Member",
    "MemberResult",
    "TrainConfig",
    "TrainedEnsemble",
    "train_ensemble",
]
