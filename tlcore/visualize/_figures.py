"""TensorLayer 1.11's picture functions: weights, filters, image grids, a frame, t-SNE.

Same names and positional arguments as ``tensorlayer.visualize``. Differences: the picture is a
PNG (``name`` gets ``.png`` unless it already ends in an image suffix), nothing is displayed
unless ``show=True``, and each function returns the path it wrote (``saveable=True``) or the
matplotlib Figure (``saveable=False``).
"""
from __future__ import annotations

import os
from typing import Any, Mapping, Sequence

import numpy as np

from tlcore.visualize._backend import (as_array, finish, grid_shape, mosaic, new_figure,
                                       require, show_mosaic, title_of, unit_range)


def draw_weights(W: Any = None, second: float = 10, saveable: bool = True,
                 shape: Sequence[int] | None = None, name: str | os.PathLike[str] = "mnist",
                 fig_idx: int = 2396512, *, show: bool = False) -> Any:
    """Draw every column of a weight matrix as a greyscale tile (a first layer's features).

    Each column is divided by its L2 norm and scaled to the full grey range of its own tile, as
    TensorLayer's per-subplot display did; tiles are laid out ``int(sqrt(n))`` per row.

    Args:
        W: weight matrix (n_in, n_units), e.g. ``network.all_params[0]`` of a 784-800 layer.
        second: seconds to keep the window open when ``show``.
        saveable: write the picture to ``name`` (else return the Figure).
        shape: (height, width) of one tile; default [28, 28] (MNIST).
        name: file name; ``.png`` is appended when it has no image suffix.
        fig_idx: pyplot figure number when ``show``.
        show: also display the figure (needs an interactive matplotlib backend).

    Returns:
        The path written, or the Figure when ``saveable`` is False.

    >>> tl.visualize.W(network.all_params[0], shape=[28, 28], name="out/w1")  # doctest: +SKIP
    'out/w1.png'
    """
    shape = [28, 28] if shape is None else list(shape)
    W = as_array(W, "W", "W", (2,))
    if len(shape) != 2 or shape[0] * shape[1] != W.shape[0]:
        raise ValueError(f"tl.visualize.W: shape {shape} must have {W.shape[0]} pixels (one per "
                         f"row of W, shape {W.shape}), received {int(np.prod(shape))}")
    norms = np.sqrt(np.sum(W.astype(np.float64) ** 2, axis=0))
    features = W / np.where(norms > 0, norms, 1.0)
    tiles = np.stack([unit_range(features[:, i].reshape(shape)) for i in range(W.shape[1])])
    image = mosaic(tiles, *grid_shape(W.shape[1]))
    fig = show_mosaic(image, "W", scale=max(1.0, 600 / max(image.shape)), show=show,
                      fig_idx=fig_idx, title=title_of(name))
    return finish(fig, saveable=saveable, name=name, show=show, second=second)


W = draw_weights


def CNN2d(CNN: Any = None, second: float = 10, saveable: bool = True,
          name: str | os.PathLike[str] = "cnn", fig_idx: int = 3119362, *,
          show: bool = False) -> Any:
    """Draw a convolution layer's filters, one tile each (greyscale for 1 input channel, colour
    for 3), each scaled to its own full range.

    Args:
        CNN: filter bank (height, width, in_channels, n_filters) with in_channels 1 or 3, e.g.
            ``network.all_params[0]`` of a Conv2d layer.
        second, saveable, name, fig_idx, show: as for :func:`draw_weights`.

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    CNN = as_array(CNN, "CNN2d", "CNN", (4,))
    if CNN.shape[2] not in (1, 3):
        raise ValueError(f"tl.visualize.CNN2d: expected filters (height, width, in_channels, "
                         f"n_filters) with 1 or 3 in_channels, received shape {CNN.shape}")
    filters = np.moveaxis(CNN, 3, 0)
    if CNN.shape[2] == 1:
        filters = filters[..., 0]
    tiles = np.stack([unit_range(f) for f in filters])
    image = mosaic(tiles, *grid_shape(len(tiles)))
    fig = show_mosaic(image, "CNN2d", scale=max(1.0, 400 / max(image.shape[:2])), show=show,
                      fig_idx=fig_idx, title=title_of(name))
    return finish(fig, saveable=saveable, name=name, show=show, second=second)


def _display_range(images: np.ndarray) -> np.ndarray:
    """uint8 as 0..255; floats already in [0, 1] as they are; anything else (standardized
    images) min-max scaled per image."""
    if images.dtype == np.uint8:
        return images / 255.0
    images = images.astype(np.float64)
    if images.min() >= 0.0 and images.max() <= 1.0:
        return images
    return np.stack([unit_range(i) for i in images])


def images2d(images: Any = None, second: float = 10, saveable: bool = True,
             name: str | os.PathLike[str] = "images", dtype: Any = None,
             fig_idx: int = 3119362, *, show: bool = False) -> Any:
    """Draw a batch of images (n, height, width[, 1 or 3]) as one grid.

    Args:
        images: the batch; uint8 images are shown as 0..255, float images in [0, 1] as they are,
            other float images (e.g. standardized ones) scaled per image.
        dtype: convert the images to this numpy dtype first (TensorLayer's argument).
        second, saveable, name, fig_idx, show: as for :func:`draw_weights`.

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    images = as_array(images, "images2d", "images", (3, 4))
    if dtype is not None:
        images = images.astype(dtype)
    if images.ndim == 4:
        if images.shape[3] not in (1, 3):
            raise ValueError(f"tl.visualize.images2d: expected images (n, height, width, 1 or 3),"
                             f" received shape {images.shape}")
        if images.shape[3] == 1:
            images = images[..., 0]
    image = mosaic(_display_range(images), *grid_shape(len(images)))
    fig = show_mosaic(image, "images2d", scale=max(1.0, 500 / max(image.shape[:2])), show=show,
                      fig_idx=fig_idx, title=title_of(name))
    return finish(fig, saveable=saveable, name=name, show=show, second=second)


def frame(I: Any = None, second: float = 5, saveable: bool = True,  # noqa: E741 (1.11's name)
          name: str | os.PathLike[str] = "frame", cmap: str | None = None,
          fig_idx: int = 12836, *, show: bool = False) -> Any:
    """Draw one image (e.g. a game frame) with axes, titled with ``name``'s base name.

    Args:
        I: the image (height, width[, 1, 3 or 4]).
        cmap: matplotlib colour map for one-channel images, e.g. ``'gray'``.
        second, saveable, name, fig_idx, show: as for :func:`draw_weights`.

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    I = as_array(I, "frame", "I", (2, 3))  # noqa: E741
    if I.ndim == 3 and I.shape[-1] == 1:
        I = I[..., 0]  # noqa: E741
    fig = new_figure("frame", (5, 5), show=show, fig_idx=fig_idx)
    ax = fig.add_subplot(1, 1, 1)
    ax.imshow(I, cmap=cmap, interpolation="nearest")
    ax.set_title(title_of(name))
    return finish(fig, saveable=saveable, name=name, show=show, second=second)


def tsne_embedding(embeddings: Any, reverse_dictionary: Mapping[int, str] | Sequence[str],
                   plot_only: int = 500, second: float = 5, saveable: bool = False,
                   name: str | os.PathLike[str] = "tsne", fig_idx: int = 9862, *,
                   show: bool = False, random_state: int | None = 0) -> Any:
    """Map the first ``plot_only`` embeddings (the most frequent words, when ids are sorted by
    count) to 2-D with scikit-learn's t-SNE and draw each point with its word.

    Args:
        embeddings: (vocabulary, dim) matrix, e.g. normalized word2vec embeddings.
        reverse_dictionary: id -> word.
        plot_only: number of rows to map (at least 4).
        random_state: t-SNE's seed, so that the same embeddings give the same map.
        second, saveable, name, fig_idx, show: as for :func:`draw_weights` (TensorLayer's
            default here was ``saveable=False``).

    Returns:
        The path written, or the Figure when ``saveable`` is False.
    """
    embeddings = as_array(embeddings, "tsne_embedding", "embeddings", (2,))
    n = min(int(plot_only), len(embeddings))
    if n < 4:
        raise ValueError(f"tl.visualize.tsne_embedding: needs at least 4 embeddings to map, "
                         f"received plot_only={plot_only} with {len(embeddings)} rows")
    manifold = require("sklearn.manifold", "tsne_embedding", extra="tsne")
    labels = [str(reverse_dictionary[i]) for i in range(n)]
    # t-SNE needs perplexity < n; 30 (TensorLayer's) for the usual 500 words
    tsne = manifold.TSNE(n_components=2, perplexity=min(30.0, (n - 1) / 3), init="pca",
                         random_state=random_state)
    from threadpoolctl import threadpool_limits  # a scikit-learn dependency

    # One OpenMP thread: t-SNE's spinning threads slow it 5-10x on a busy machine (measured
    # 45 s with 2 threads against 6 s with 1 for 500 words on a loaded 2-core host).
    with threadpool_limits(limits=1, user_api="openmp"):
        points = tsne.fit_transform(embeddings[:n].astype(np.float64))
    size = 6 + 12 * min(1.0, n / 500)
    fig = new_figure("tsne_embedding", (size, size), show=show, fig_idx=fig_idx, dpi=80)
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(points[:, 0], points[:, 1], s=8)
    for (x, y), label in zip(points, labels):
        ax.annotate(label, xy=(x, y), xytext=(5, 2), textcoords="offset points", ha="right",
                    va="bottom", fontsize=8)
    ax.set_title(f"t-SNE of {n} embeddings")
    fig.tight_layout()
    return finish(fig, saveable=saveable, name=name, show=show, second=second)
