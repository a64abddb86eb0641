"""TrainingHistory: what :func:`tlcore.utils.fit` measured, one entry per epoch."""
from __future__ import annotations

import json
import os
from typing import Any

import attrs


@attrs.define
class TrainingHistory:
    """Per-epoch record of a :func:`~tlcore.utils.fit` run; all lists have one entry per epoch.

    Attributes:
        epochs: epoch numbers, starting at 1.
        times: wall time of each epoch's training steps in seconds (evaluation excluded).
        train_loss: mean of the epoch's batch losses (dropout on), weighted by batch size.
        train_eval_loss: loss on the training set with dropout off, at evaluated epochs when
            ``eval_train`` is set; ``None`` elsewhere.
        train_acc: accuracy on the training set with dropout off, at evaluated epochs when
            ``eval_train`` and ``acc`` are given; ``None`` elsewhere.
        val_loss: loss on the validation set (dropout off) at evaluated epochs, else ``None``.
        val_acc: accuracy on the validation set at evaluated epochs, else ``None``.

    Evaluated epochs are the first, every ``print_freq``-th and the last.

    >>> h = TrainingHistory()
    >>> h.append(epoch=1, time=0.5, train_loss=0.3)
    >>> h.last("train_loss")
    0.3
    """

    epochs: list[int] = attrs.field(factory=list)
    times: list[float] = attrs.field(factory=list)
    train_loss: list[float] = attrs.field(factory=list)
    train_eval_loss: list[float | None] = attrs.field(factory=list)
    train_acc: list[float | None] = attrs.field(factory=list)
    val_loss: list[float | None] = attrs.field(factory=list)
    val_acc: list[float | None] = attrs.field(factory=list)
    #: other named metrics (``val_top5``, ``train_top5``...), one entry per epoch each
    metrics: dict[str, list[float | None]] = attrs.field(factory=dict)

    def append(self, *, epoch: int, time: float, train_loss: float,
               train_eval_loss: float | None = None, train_acc: float | None = None,
               val_loss: float | None = None, val_acc: float | None = None,
               **metrics: float | None) -> None:
        """Add the record of one epoch (named metrics other than ``acc`` as keywords)."""
        for name, values in self.metrics.items():
            values.append(_opt_float(metrics.pop(name, None)))
        for name, value in metrics.items():  # first seen now: None for the earlier epochs
            earlier: list[float | None] = [None] * len(self.epochs)
            self.metrics[name] = earlier + [_opt_float(value)]
        self.epochs.append(int(epoch))
        self.times.append(float(time))
        self.train_loss.append(float(train_loss))
        self.train_eval_loss.append(_opt_float(train_eval_loss))
        self.train_acc.append(_opt_float(train_acc))
        self.val_loss.append(_opt_float(val_loss))
        self.val_acc.append(_opt_float(val_acc))

    def rows(self) -> list[dict[str, Any]]:
        """One dict per epoch: ``epoch``, ``time``, the losses and every metric."""
        columns: dict[str, list[Any]] = {
            "epoch": self.epochs, "time": self.times, "train_loss": self.train_loss,
            "train_eval_loss": self.train_eval_loss, "train_acc": self.train_acc,
            "val_loss": self.val_loss, "val_acc": self.val_acc, **self.metrics}
        return [{k: v[i] for k, v in columns.items()} for i in range(len(self.epochs))]

    def save_csv(self, path: str | os.PathLike[str]) -> None:
        """Write one CSV row per epoch (empty cells where an epoch was not evaluated),
        atomically."""
        import csv
        import io

        rows = self.rows()
        fields = list(rows[0]) if rows else ["epoch", "time", "train_loss"]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
        _atomic_text(path, buffer.getvalue())

    def last(self, field: str) -> float | None:
        """The most recent measured (not ``None``) value of ``field``, or ``None``."""
        values = self.metrics[field] if field in self.metrics else getattr(self, field)
        for value in reversed(values):
            if value is not None:
                return value
        return None

    def __len__(self) -> int:
        return len(self.epochs)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of the lists."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainingHistory:
        """Inverse of :meth:`to_dict`."""
        lists = {f.name: list(data.get(f.name, [])) for f in attrs.fields(cls)
                 if f.name != "metrics"}
        metrics = {str(k): list(v) for k, v in dict(data.get("metrics") or {}).items()}
        return cls(**lists, metrics=metrics)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the history as JSON, atomically (temporary file, then rename)."""
        _atomic_text(path, json.dumps(self.to_dict()))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrainingHistory:
        """Read a history written by :meth:`save`."""
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    @classmethod
    def load_checked(cls, path: str | os.PathLike[str], what: str = "fit") -> TrainingHistory:
        """:meth:`load`, with a ``ValueError`` naming the file when it is not a history."""
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as e:
            raise ValueError(f"{what}: the history file {os.fspath(path)} is unreadable "
                             f"({type(e).__name__}: {str(e)[:200]}); delete it or use another "
                             f"directory") from None
        return cls.checked(data, f"{what}: the history in {os.fspath(path)}")

    @classmethod
    def checked(cls, data: Any, where: str) -> TrainingHistory:
        """:meth:`from_dict` of untrusted data: every field a list of numbers (or None)."""
        if not isinstance(data, dict):
            raise ValueError(f"{where} must be a JSON object of lists, received "
                             f"{type(data).__name__}")
        metrics = data.get("metrics", {})
        if not isinstance(metrics, dict):
            raise ValueError(f"{where}: 'metrics' must be an object of lists, received "
                             f"{str(metrics)[:80]}")
        columns = [(f.name, data.get(f.name, [])) for f in attrs.fields(cls)
                   if f.name != "metrics"] + list(metrics.items())
        for name, values in columns:
            if not isinstance(values, list) or not all(
                    v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))
                    for v in values):
                raise ValueError(f"{where}: {name!r} must be a list of numbers, received "
                                 f"{str(values)[:80]}")
        return cls.from_dict(data)

    def truncate(self, n_epochs: int) -> None:
        """Keep the records of the first ``n_epochs`` epochs only (used when resuming)."""
        for f in attrs.fields(type(self)):
            if f.name != "metrics":
                del getattr(self, f.name)[n_epochs:]
        for values in self.metrics.values():
            del values[n_epochs:]

    def plot(self, path: str | os.PathLike[str]) -> str:
        """Draw loss and every metric per epoch (train and validation) into a PNG at ``path``
        (``.png`` appended when it has no image suffix); returns the path written.

        Needs matplotlib; the drawing is :func:`tlcore.visualize.training_curves`.
        """
        from tlcore.visualize import training_curves

        return training_curves(self, name=path)


def _atomic_text(path: str | os.PathLike[str], text: str) -> None:
    from tlcore.files import atomic_write  # the one atomic writer (usual file modes)

    with atomic_write(path) as f:
        f.write(text.encode("utf-8"))


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)
