"""Pictures TensorLayer did not have: training curves, line plots, heatmaps, image rows."""
from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from tlcore.visualize._backend import as_array, finish, mosaic, new_figure, unit_range

#: History keys that are not curves.
_NOT_CURVES = {"epochs", "times"}
#: (prefix, legend) from the most specific: ``train_eval_loss`` is the training set with
#: dropout off, ``train_loss`` the running mean of the training batches.
_SPLITS = (("train_eval_", "train (eval)"), ("train_", "train"), ("val_", "validation"),
           ("test_", "test"))


def _points(values: Sequence[Any], x: Sequence[Any]) -> tuple[list[float], list[float]]:
    """The measured (x, y) pairs: ``None`` and NaN entries (epochs not evaluated) dropped."""
    xs, ys = [], []
    for xi, yi in zip(x, values):
        if yi is not None and np.isfinite(float(yi)):
            xs.append(float(xi))
            ys.append(float(yi))
    return xs, ys


def curves(series: Mapping[str, Sequence[float | None]], x: Sequence[float] | None = None, *,
           title: str = "", xlabel: str = "epoch", ylabel: str = "",
           name: str | os.PathLike[str] = "curves", saveable: bool = True, logy: bool = False,
           show: bool = False, second: float = 5) -> Any:
    """One panel with a line per series (``None`` entries skipped), e.g. rewards per episode.

    Args:
        series: legend label -> values.
        x: shared x values (default 1, 2, ...).
        title, xlabel, ylabel: text of the panel.
        logy: logarithmic y axis.
        name, saveable, show, second: as for :func:`tlcore.visualize.W`.

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    if not series:
        raise ValueError("tl.visualize.curves: no series given, received an empty mapping")
    fig = new_figure("curves", (7, 4.5), show=show)
    ax = fig.add_subplot(1, 1, 1)
    for label, values in series.items():
        xs, ys = _points(values, range(1, len(values) + 1) if x is None else x)
        ax.plot(xs, ys, marker="o" if len(xs) <= 30 else None, markersize=3, label=label)
    _style(ax, title, xlabel, ylabel, logy)
    fig.tight_layout()
    return finish(fig, saveable=saveable, name=name, show=show, second=second)


def _style(ax: Any, title: str, xlabel: str, ylabel: str, logy: bool = False) -> None:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs, episodes, steps
    if ax.get_legend_handles_labels()[0]:
        ax.legend()


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    """Lists of a history dict, nested dicts (named metrics) flattened into their keys."""
    out: dict[str, list[Any]] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flatten(value, prefix))
        elif isinstance(value, (list, tuple)):
            out[prefix + key] = list(value)
    return out


def _split(key: str) -> tuple[str, str]:
    for prefix, legend in _SPLITS:
        if key.startswith(prefix):
            return key[len(prefix):], legend
    return key, "train"


def training_curves(history: Any, name: str | os.PathLike[str] = "curves",
                    saveable: bool = True, *, show: bool = False, second: float = 5) -> Any:
    """Loss and every metric per epoch, train and validation, one panel per quantity.

    Args:
        history: a :class:`~tlcore.utils.TrainingHistory` (or its ``to_dict()``: lists keyed
            ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc``, ... plus ``epochs``).
        name, saveable, show, second: as for :func:`tlcore.visualize.W`.

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    data = history.to_dict() if hasattr(history, "to_dict") else history
    if not isinstance(data, Mapping):
        raise TypeError(f"tl.visualize.training_curves: expected a TrainingHistory or a dict of "
                        f"lists, received {type(history).__name__}")
    lists = _flatten(data)
    epochs = lists.get("epochs") or list(range(1, 1 + max((len(v) for v in lists.values()),
                                                          default=0)))
    panels: dict[str, list[tuple[str, list[float], list[float]]]] = {}
    for key, values in lists.items():
        if key in _NOT_CURVES or len(values) != len(epochs):
            continue
        try:
            xs, ys = _points(values, epochs)
        except (TypeError, ValueError):  # not numbers: not a curve
            continue
        if xs:
            metric, legend = _split(key)
            panels.setdefault(metric, []).append((legend, xs, ys))
    if not panels:
        raise ValueError(f"tl.visualize.training_curves: nothing to draw: no per-epoch values in "
                         f"keys {sorted(lists)} (epochs {len(epochs)})")
    order = sorted(panels, key=lambda m: (m != "loss", m))
    fig = new_figure("training_curves", (5.0 * len(order), 4.0), show=show)
    for i, metric in enumerate(order, 1):
        ax = fig.add_subplot(1, len(order), i)
        for legend, xs, ys in panels[metric]:
            ax.plot(xs, ys, marker="o" if len(xs) <= 30 else None, markersize=3, label=legend)
        _style(ax, metric, "epoch", metric)
    fig.tight_layout()
    return finish(fig, saveable=saveable, name=name, show=show, second=second)


def heatmap(matrix: Any, x_labels: Sequence[str] | None = None,
            y_labels: Sequence[str] | None = None, *, title: str = "", xlabel: str = "",
            ylabel: str = "", name: str | os.PathLike[str] = "heatmap", saveable: bool = True,
            show: bool = False, second: float = 5) -> Any:
    """A matrix as a colour map with labelled rows and columns (e.g. attention weights, rows =
    output words, columns = input words).

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    matrix = as_array(matrix, "heatmap", "matrix", (2,)).astype(np.float64)
    for labels, n, which in ((x_labels, matrix.shape[1], "x_labels"),
                             (y_labels, matrix.shape[0], "y_labels")):
        if labels is not None and len(labels) != n:
            raise ValueError(f"tl.visualize.heatmap: {which} must have {n} entries for a matrix "
                             f"of shape {matrix.shape}, received {len(labels)}")
    h, w = matrix.shape
    fig = new_figure("heatmap", (min(2 + 0.45 * w, 16), min(1.5 + 0.4 * h, 16)), show=show)
    ax = fig.add_subplot(1, 1, 1)
    im = ax.imshow(matrix, cmap="viridis", aspect="auto", interpolation="nearest")
    fig.colorbar(im, ax=ax)
    if x_labels is not None:
        ax.set_xticks(range(w), [str(s) for s in x_labels], rotation=60, ha="right")
    if y_labels is not None:
        ax.set_yticks(range(h), [str(s) for s in y_labels])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.tight_layout()
    return finish(fig, saveable=saveable, name=name, show=show, second=second)


def image_rows(rows: Sequence[Any], titles: Sequence[str] | None = None, *,
               shape: Sequence[int] | None = None, name: str | os.PathLike[str] = "rows",
               saveable: bool = True, show: bool = False, second: float = 5) -> Any:
    """Rows of greyscale images side by side, one titled row per batch (e.g. test digits, their
    noisy version, their reconstructions). Each image is scaled to its own full range.

    Args:
        rows: batches (n, height, width) or (n, height * width) with ``shape``.
        titles: one per row.
        shape: (height, width) of flat images.

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    if not rows:
        raise ValueError("tl.visualize.image_rows: no rows given")
    if titles is not None and len(titles) != len(rows):
        raise ValueError(f"tl.visualize.image_rows: {len(rows)} rows but {len(titles)} titles")
    batches = []
    for row in rows:
        batch = as_array(row, "image_rows", "rows", (2, 3))
        if batch.ndim == 2:
            if shape is None or int(np.prod(shape)) != batch.shape[1]:
                raise ValueError(f"tl.visualize.image_rows: flat images of shape {batch.shape} "
                                 f"need shape=(height, width) with {batch.shape[1]} pixels, "
                                 f"received {shape}")
            batch = batch.reshape(len(batch), *shape)
        batches.append(np.stack([unit_range(i) for i in batch]))
    n = max(len(b) for b in batches)
    fig = new_figure("image_rows", (max(4.0, 0.7 * n + 1.5), 0.9 * len(batches) + 0.2),
                     show=show)
    for r, batch in enumerate(batches):
        ax = fig.add_subplot(len(batches), 1, r + 1)
        ax.imshow(mosaic(batch, 1, n), cmap="gray", vmin=0.0, vmax=1.0,
                  interpolation="nearest")
        ax.set_xticks([])
        ax.set_yticks([])
        if titles is not None:
            ax.set_ylabel(titles[r], rotation=0, ha="right", va="center", fontsize=9)
    fig.subplots_adjust(left=0.2, right=0.98, top=0.98, bottom=0.02, hspace=0.15)
    return finish(fig, saveable=saveable, name=name, show=show, second=second)
