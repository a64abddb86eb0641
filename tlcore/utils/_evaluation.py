"""``evaluation``: confusion matrix, per-class F1, accuracy and macro F1 in numpy."""
from __future__ import annotations

import logging
from typing import Any

import numpy as np

logger = logging.getLogger("tlcore")


def evaluation(y_test: Any = None, y_predict: Any = None, n_classes: int | None = None
               ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Classification scores of integer predictions against integer labels.

    ``confusion[i, j]`` counts samples of true class ``i`` predicted as ``j`` (rows are the
    truth, as in scikit-learn). The F1 of class ``k`` is ``2 tp / (2 tp + fp + fn)``, and 0 for a
    class that is neither present nor predicted.

    Args:
        y_test: true class ids, shape ``(n,)``.
        y_predict: predicted class ids, shape ``(n,)``.
        n_classes: number of classes; default ``max(y_test, y_predict) + 1``.

    Returns:
        ``(confusion_matrix (n_classes, n_classes) int64, f1 per class (n_classes,), accuracy,
        macro F1)``.

    >>> c, f1, acc, f1_macro = evaluation([0, 1, 1], [0, 1, 0], n_classes=2)
    >>> c.tolist(), round(acc, 4)
    ([[1, 0], [1, 1]], 0.6667)
    """
    if y_test is None or y_predict is None:
        raise ValueError("evaluation: y_test and y_predict are required")
    t = _labels(y_test, "y_test")
    p = _labels(y_predict, "y_predict")
    if t.shape != p.shape:
        raise ValueError(f"evaluation: y_test and y_predict need the same shape, received "
                         f"{t.shape} and {p.shape}")
    top = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    if n_classes is None:
        n_classes = top
    elif isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) \
            or n_classes < 1 or n_classes < top:
        raise ValueError(f"evaluation: n_classes must be an int covering every label "
                         f"(at least {top}), received {n_classes!r}")
    n_classes = int(n_classes)
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (t, p), 1)
    tp = np.diag(confusion).astype(np.float64)
    fp = confusion.sum(axis=0) - tp
    fn = confusion.sum(axis=1) - tp
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    acc = float(tp.sum() / t.size) if t.size else 0.0
    f1_macro = float(f1.mean()) if n_classes else 0.0
    logger.info("confusion matrix: \n%s", confusion)
    logger.info("f1-score        : %s", f1)
    logger.info("f1-score(macro) : %f", f1_macro)
    logger.info("accuracy-score  : %f", acc)
    return confusion, f1, acc, f1_macro


def _labels(y: Any, what: str) -> np.ndarray:
    a = np.asarray(y)
    if a.ndim != 1:
        raise ValueError(f"evaluation: {what} must be a 1-D array of class ids, received shape "
                         f"{a.shape}")
    if a.size and not np.issubdtype(a.dtype, np.integer):
        if not np.all(np.equal(np.mod(a, 1), 0)):
            raise ValueError(f"evaluation: {what} must hold integer class ids, received "
                             f"dtype {a.dtype}")
    a = a.astype(np.int64)
    if a.size and a.min() < 0:
        raise ValueError(f"evaluation: {what} holds a negative class id {a.min()}")
    return a
