"""matplotlib on demand: figures drawn off-screen with Agg, saved atomically.

Nothing here imports matplotlib at module level; ``tlcore.visualize`` stays cheap to import and
a missing matplotlib is reported when a picture is asked for.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import numpy as np

logger = logging.getLogger("tlcore")

#: Suffixes that are written as given; any other name gets ``.png`` appended (TensorLayer
#: appended ``.pdf``; a PNG is what a README, a notebook and an image viewer show directly).
IMAGE_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg")


def require(module: str, what: str, extra: str = "plot") -> Any:
    """Import ``module`` or raise an ImportError that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        package = {"matplotlib": "matplotlib", "PIL": "Pillow", "sklearn": "scikit-learn"}.get(
            module.split(".")[0], module)
        raise ImportError(f"tl.visualize.{what} needs {package}, which is not installed "
                          f"({e}); install it with: pip install {package}  "
                          f"(or pip install 'tlcore[{extra}]')") from e


def new_figure(what: str, figsize: tuple[float, float], *, show: bool = False,
               fig_idx: int | None = None, dpi: int = 100) -> Any:
    """A figure of ``figsize`` inches: off-screen (Agg canvas, no pyplot state) unless ``show``,
    which asks pyplot for a window with the user's backend."""
    require("matplotlib", what)
    if show:
        import matplotlib.pyplot as plt

        fig = plt.figure(fig_idx, figsize=figsize, dpi=dpi)
        fig.clf()
        return fig
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def image_path(name: str | os.PathLike[str]) -> str:
    """``name`` when it ends in a known image suffix, else ``name + '.png'``."""
    path = os.fspath(name)
    return path if path.lower().endswith(IMAGE_SUFFIXES) else path + ".png"


def atomic_write(path: str, write: Any) -> str:
    """Call ``write(file)`` on a temporary file next to ``path`` (``tl.files.atomic_write``),
    which replaces ``path`` only when complete: an interrupted run never leaves a truncated
    picture."""
    from tlcore.files import atomic_write as write_atomically

    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"tl.visualize: cannot write {path!r}: folder {folder!r} does "
                                f"not exist")
    with write_atomically(path) as f:
        write(f)
    logger.debug("tl.visualize: wrote %s", path)
    return path


def finish(fig: Any, *, saveable: bool, name: str | os.PathLike[str], show: bool,
           second: float) -> Any:
    """Save (returns the path written) or return the figure; show it only when asked."""
    result = fig
    if saveable:
        path = image_path(name)
        result = atomic_write(path, lambda tmp: fig.savefig(tmp, format=os.path.splitext(
            path)[1][1:].lower().replace("jpg", "jpeg")))
    if show:
        import matplotlib.pyplot as plt

        plt.show(block=False)
        plt.pause(second)
    return result


def title_of(name: str | os.PathLike[str]) -> str:
    """The file's base name without suffix, as a figure title."""
    return os.path.splitext(os.path.basename(os.fspath(name)))[0]


def as_array(value: Any, what: str, arg: str, ndims: tuple[int, ...]) -> np.ndarray:
    """``value`` as a numpy array (tf.Variable and tensors included) of one of ``ndims`` ranks."""
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    if array.ndim not in ndims:
        want = " or ".join(str(n) for n in ndims)
        raise ValueError(f"tl.visualize.{what}: expected a rank-{want} array for {arg}, received "
                         f"shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"tl.visualize.{what}: {arg} is empty (shape {array.shape})")
    return array


def unit_range(tile: np.ndarray) -> np.ndarray:
    """Min-max scale to [0, 1] (a constant tile becomes mid grey), as matplotlib's per-axes
    autoscaling did for each of TensorLayer's subplots."""
    tile = tile.astype(np.float64)
    lo, hi = float(np.min(tile)), float(np.max(tile))
    if hi - lo < 1e-12:
        return np.full_like(tile, 0.5)
    return (tile - lo) / (hi - lo)


def mosaic(tiles: np.ndarray, n_rows: int, n_cols: int, gap: int = 1) -> np.ndarray:
    """Tiles (n, h, w) or (n, h, w, 3) in [0, 1] laid out row by row with white gaps."""
    n, h, w = tiles.shape[:3]
    extra = tiles.shape[3:]
    out = np.ones((n_rows * (h + gap) - gap, n_cols * (w + gap) - gap, *extra))
    for i in range(n):
        r, c = divmod(i, n_cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = tiles[i]
    return out


def grid_shape(n: int) -> tuple[int, int]:
    """TensorLayer's layout: ``int(sqrt(n))`` rows, as many columns as needed."""
    rows = max(1, int(np.sqrt(n)))
    return rows, int(np.ceil(n / rows))


def show_mosaic(image: np.ndarray, what: str, *, scale: float, show: bool, fig_idx: int | None,
                title: str | None = None) -> Any:
    """A figure that shows one mosaic at ``scale`` screen pixels per image pixel."""
    h, w = image.shape[:2]
    dpi = 100
    width = max(w * scale, 200) / dpi
    height = max(h * scale, 200) / dpi + (0.35 if title else 0.0)
    fig = new_figure(what, (width, height), show=show, fig_idx=fig_idx, dpi=dpi)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0 - (0.35 / height if title else 0.0)))
    ax.imshow(image, cmap="gray" if image.ndim == 2 else None, vmin=0.0, vmax=1.0,
              interpolation="nearest")
    ax.set_axis_off()
    if title:
        fig.suptitle(title, fontsize=10, y=1.0 - 0.05 / height, va="top")
    return fig
