"""Image files with Pillow: TensorLayer 1.11's read/save helpers and box drawing."""
from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

import numpy as np

from tlcore.visualize._backend import as_array, atomic_write, require

logger = logging.getLogger("tlcore")


def _to_uint8(image: np.ndarray) -> np.ndarray:
    """TensorLayer's rule: floats in [-1, 1] with negatives map from (x + 1) * 127.5, floats in
    [0, 1] from x * 255; other values are clipped to 0..255."""
    if image.dtype == np.uint8:
        return image
    image = image.astype(np.float64)
    if image.size and image.max() <= 1 and -1 <= image.min() < 0:
        image = (image + 1) * 127.5
    elif image.size and image.max() <= 1 and image.min() >= 0 and image.dtype.kind == "f":
        image = image * 255
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _write(array: np.ndarray, path: str | os.PathLike[str], what: str) -> str:
    Image = require("PIL.Image", what)
    path = os.fspath(path)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    suffix = os.path.splitext(path)[1].lower()
    fmt = Image.registered_extensions().get(suffix)
    if fmt is None:
        raise ValueError(f"tl.visualize.{what}: cannot tell the image format of {path!r} from "
                         f"its suffix {suffix!r}; use e.g. .png or .jpg")
    picture = Image.fromarray(_to_uint8(array))
    return atomic_write(path, lambda tmp: picture.save(tmp, format=fmt))


def read_image(image: str, path: str = "") -> np.ndarray:
    """Read one image file (``os.path.join(path, image)``) as a numpy array (h, w[, c])."""
    Image = require("PIL.Image", "read_image")
    file = os.path.join(path, image)
    try:
        with Image.open(file) as picture:
            return np.asarray(picture).copy()
    except Image.UnidentifiedImageError as e:
        raise ValueError(f"tl.visualize.read_image: {file!r} is not an image Pillow can read "
                         f"({e})") from e


def read_images(img_list: Sequence[str], path: str = "", n_threads: int = 10,
                printable: bool = True) -> list[np.ndarray]:
    """Read image files with ``n_threads`` threads; logs progress at INFO when ``printable``."""
    if n_threads < 1:
        raise ValueError(f"tl.visualize.read_images: n_threads must be >= 1, received "
                         f"{n_threads}")
    images: list[np.ndarray] = []
    with ThreadPoolExecutor(max_workers=n_threads) as pool:
        for start in range(0, len(img_list), n_threads):
            images.extend(pool.map(lambda f: read_image(f, path),
                                   img_list[start:start + n_threads]))
            if printable:
                logger.info("read %d from %s", len(images), path)
    return images


def save_image(image: Any, image_path: str | os.PathLike[str] = "_temp.png") -> str:
    """Write one image (h, w), (h, w, 1) or (h, w, 3); returns the path written."""
    return _write(as_array(image, "save_image", "image", (2, 3)), image_path, "save_image")


def save_images(images: Any, size: Sequence[int],
                image_path: str | os.PathLike[str] = "_temp.png") -> str:
    """Write a batch (n, h, w[, c]) as one grid of ``size = [rows, cols]`` images, row by row;
    returns the path written."""
    images = as_array(images, "save_images", "images", (3, 4))
    rows, cols = (int(s) for s in size)
    if len(images) > rows * cols:
        raise ValueError(f"tl.visualize.save_images: {len(images)} images do not fit a "
                         f"{rows}x{cols} grid (size={list(size)})")
    h, w = images.shape[1:3]
    grid = np.zeros((h * rows, w * cols, *images.shape[3:]), dtype=images.dtype)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        grid[r * h:(r + 1) * h, c * w:(c + 1) * w] = image
    return _write(grid, image_path, "save_images")


def _corners(box: Sequence[float], is_center: bool, is_rescale: bool,
             height: int, width: int) -> tuple[float, float, float, float]:
    x, y, a, b = (float(v) for v in box)
    x1, y1, x2, y2 = (x - a / 2, y - b / 2, x + a / 2, y + b / 2) if is_center else (x, y, a, b)
    if is_rescale:  # fractions of the image's width and height -> pixels
        x1, x2, y1, y2 = x1 * width, x2 * width, y1 * height, y2 * height
    return x1, y1, x2, y2


def draw_boxes_and_labels_to_image(image: Any, classes: Sequence[int],
                                   coords: Sequence[Sequence[float]], scores: Sequence[float],
                                   classes_list: Sequence[str], is_center: bool = True,
                                   is_rescale: bool = True,
                                   save_name: str | os.PathLike[str] | None = None
                                   ) -> np.ndarray:
    """Draw boxes (green) and ``class score`` labels on a copy of an RGB image.

    Args:
        image: (height, width, 3) array; floats in [0, 1] are scaled to 0..255.
        classes: class id of each box, an index into ``classes_list``.
        coords: one box each: [x_center, y_center, w, h] when ``is_center`` else
            [x1, y1, x2, y2]; fractions of the image size when ``is_rescale`` else pixels.
        scores: one score each, or empty for no scores.
        classes_list: class names.
        save_name: also write the result to this file.

    Returns:
        The drawn image, uint8 (height, width, 3).
    """
    Image = require("PIL.Image", "draw_boxes_and_labels_to_image")
    ImageDraw = require("PIL.ImageDraw", "draw_boxes_and_labels_to_image")
    array = as_array(image, "draw_boxes_and_labels_to_image", "image", (3,))
    if len(coords) != len(classes):
        raise ValueError(f"tl.visualize.draw_boxes_and_labels_to_image: {len(coords)} coords "
                         f"for {len(classes)} classes; expected one box per class")
    if len(scores) and len(scores) != len(classes):
        raise ValueError(f"tl.visualize.draw_boxes_and_labels_to_image: {len(scores)} scores "
                         f"for {len(classes)} classes; expected one score each or none")
    bad = [c for c in classes if not 0 <= int(c) < len(classes_list)]
    if bad:
        raise ValueError(f"tl.visualize.draw_boxes_and_labels_to_image: class ids {bad} are not "
                         f"in classes_list (length {len(classes_list)})")
    height, width = array.shape[:2]
    picture = Image.fromarray(_to_uint8(array)).convert("RGB")
    draw = ImageDraw.Draw(picture)
    thick = max(1, (height + width) // 430)
    for i, box in enumerate(coords):
        x1, y1, x2, y2 = _corners(box, is_center, is_rescale, height, width)
        draw.rectangle([min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)],
                       outline=(0, 255, 0), width=thick)
        label = classes_list[int(classes[i])] + (f" {scores[i]:.2f}" if len(scores) else "")
        draw.text((x1, max(0.0, y1 - 11)), label, fill=(0, 0, 255))
    result = np.asarray(picture).copy()
    if save_name is not None:
        _write(result, save_name, "draw_boxes_and_labels_to_image")
    return result
