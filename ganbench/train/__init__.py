"""Training: configuration, batch streams and the ensemble training loop."""

from ganbench.train.config import TrainConfig
from ganbench.train.loop import Member, MemberResult, TrainedEnsemble, train_ensemble

__all__ = [
    "Member",
    "MemberResult",
    "TrainConfig",
    "TrainedEnsemble",
    "train_ensemble",
]
