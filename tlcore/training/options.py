"""The validated options of a training run (what ``fit``'s keywords configure)."""
from __future__ import annotations

import math
from typing import Any

import attrs

NAN_POLICIES = ("raise", "skip", "ignore")
#: precision -> compute dtype of the layers that autocast (None: as built); variables stay float32
PRECISIONS = {"float32": None, "mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}


def _positive(instance: Any, attribute: Any, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{instance.what}: {attribute.name} must be a positive int, received "
                         f"{value!r}")


def _optional_positive(instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        _positive(instance, attribute, value)


def _to_int(value: Any) -> Any:
    # numpy integers are ints to a user; keep everything else for the validator to name.
    try:
        import numpy as np

        if isinstance(value, np.integer):
            return int(value)
    except ImportError:  # pragma: no cover
        pass
    return value


@attrs.frozen(kw_only=True)
class TrainOptions:
    """Everything about a run except the model, the data and the optimizer; checked on
    construction, so a bad value fails before any variable or file is touched.

    Attributes mirror :func:`tlcore.utils.fit`'s keywords; ``what`` names the caller in
    messages (``"fit"``, ``"ReconLayer 'recon1' pretrain"``).
    """

    what: str = "fit"
    batch_size: int = attrs.field(default=100, converter=_to_int, validator=_positive)
    n_epoch: int = attrs.field(default=100, converter=_to_int)
    print_freq: int = attrs.field(default=5, converter=_to_int, validator=_positive)
    eval_freq: int | None = attrs.field(default=None, converter=_to_int,
                                        validator=_optional_positive)
    eval_train: bool = True
    eval_batch_size: int | None = attrs.field(default=None, converter=_to_int,
                                              validator=_optional_positive)
    shuffle: bool = True
    seed: int | None = attrs.field(default=None, converter=_to_int)
    progress: bool | None = None
    steps_per_call: int | None = attrs.field(default=None, converter=_to_int,
                                             validator=_optional_positive)
    nan_policy: str = attrs.field(default="raise")
    checkpoint_dir: str | None = None
    checkpoint_freq: int = attrs.field(default=1, converter=_to_int, validator=_positive)
    max_checkpoints: int = attrs.field(default=3, converter=_to_int, validator=_positive)
    backup_dir: str | None = None
    tensorboard_dir: str | None = None
    tensorboard_epoch_freq: int = attrs.field(default=5, converter=_to_int, validator=_positive)
    tensorboard_weight_histograms: bool = True
    steps_per_epoch: int | None = attrs.field(default=None, converter=_to_int,
                                              validator=_optional_positive)
    precision: str = attrs.field(default="float32")

    @n_epoch.validator
    def _check_n_epoch(self, attribute: Any, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{self.what}: n_epoch must be an int >= 0, received {value!r}")

    @nan_policy.validator
    def _check_nan_policy(self, attribute: Any, value: Any) -> None:
        if value not in NAN_POLICIES:
            raise ValueError(f"{self.what}: nan_policy must be one of {NAN_POLICIES}, received "
                             f"{value!r}")

    @precision.validator
    def _check_precision(self, attribute: Any, value: Any) -> None:
        if not isinstance(value, str) or value not in PRECISIONS:
            raise ValueError(f"{self.what}: precision must be one of {tuple(PRECISIONS)}, "
                             f"received {value!r}")

    @property
    def compute_dtype(self) -> str | None:
        """The dtype layers compute in (``None``: their own, float32)."""
        return PRECISIONS[self.precision]

    @seed.validator
    def _check_seed(self, attribute: Any, value: Any) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            raise ValueError(f"{self.what}: seed must be an int >= 0 or None, received "
                             f"{value!r}")

    def evaluates(self, epoch: int) -> bool:
        """Whether validation (and train evaluation) runs after ``epoch``: the first epoch,
        every ``eval_freq`` (default ``print_freq``) epochs and the last."""
        freq = self.eval_freq or self.print_freq
        return epoch == 1 or epoch % freq == 0 or epoch == self.n_epoch

    def logs(self, epoch: int) -> bool:
        """Whether the epoch's lines are logged: the first, every ``print_freq``, the last."""
        return epoch == 1 or epoch % self.print_freq == 0 or epoch == self.n_epoch

    @property
    def evaluation_batch_size(self) -> int:
        return self.eval_batch_size or max(self.batch_size, 1000)


def steps_in(n: int, batch_size: int) -> int:
    """Steps of an epoch over ``n`` samples (the last batch holds the remainder)."""
    return math.ceil(n / batch_size)
