"""Object-detection boxes (darknet ``[x, y, w, h]``, in pixels or as ratios of the image size).

``is_center`` means ``(x, y)`` is the box centre (else its up-left corner); ``is_rescale`` means
the coordinates are ratios in [0, 1] (else pixels). The image functions move the boxes with the
image and drop boxes that leave it or become too thin (``thresh_wh``: minimum side as a ratio
of the image; ``thresh_wh2``: maximum aspect ratio).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from tlcore_vision.prepro._affine import affine_transform, transform_matrix_offset_center
from tlcore_vision.prepro._image import _crop_offsets, flip_axis, imresize
from tlcore_vision.prepro._random import get_rng


def _check4(coord: Sequence[float], who: str) -> None:
    if len(coord) != 4:
        raise ValueError(f"tl.prepro.{who}: a box is [x, y, w, h], received {list(coord)!r}")


def obj_box_coords_rescale(coords: Sequence[Sequence[float]] | None = None,
                           shape: Sequence[int] | None = None) -> list[list[float]]:
    """Pixel boxes to ratios of the image ``shape = (h, w)`` (default (100, 200)).

    >>> obj_box_coords_rescale([[30, 40, 50, 50]], shape=[100, 100])
    [[0.3, 0.4, 0.5, 0.5]]
    """
    coords = [] if coords is None else coords
    imh, imw = (100.0, 200.0) if shape is None else (float(shape[0]), float(shape[1]))
    out = []
    for c in coords:
        _check4(c, "obj_box_coords_rescale")
        out.append([c[0] / imw, c[1] / imh, c[2] / imw, c[3] / imh])
    return out


def obj_box_coord_rescale(coord: Sequence[float] | None = None,
                          shape: Sequence[int] | None = None) -> list[float]:
    """One pixel box to ratios of the image ``shape = (h, w)``."""
    return obj_box_coords_rescale([[] if coord is None else coord], shape)[0]


def obj_box_coord_scale_to_pixelunit(coord: Sequence[float],
                                     shape: Sequence[int] | None = None) -> list[int]:
    """A ratio box to whole pixels of the image ``shape = (h, w, ...)`` (default (100, 100))."""
    _check4(coord, "obj_box_coord_scale_to_pixelunit")
    imh, imw = (100, 100) if shape is None else (shape[0], shape[1])
    return [int(coord[0] * imw), int(coord[1] * imh), int(coord[2] * imw), int(coord[3] * imh)]


def obj_box_coord_centroid_to_upleft_butright(coord: Sequence[float], to_int: bool = False
                                              ) -> list[float]:
    """``[x_center, y_center, w, h]`` to ``[x1, y1, x2, y2]``."""
    _check4(coord, "obj_box_coord_centroid_to_upleft_butright")
    xc, yc, w, h = coord
    x, y = xc - w / 2.0, yc - h / 2.0
    box = [x, y, x + w, y + h]
    return [int(v) for v in box] if to_int else box


def obj_box_coord_upleft_butright_to_centroid(coord: Sequence[float]) -> list[float]:
    """``[x1, y1, x2, y2]`` to ``[x_center, y_center, w, h]``."""
    _check4(coord, "obj_box_coord_upleft_butright_to_centroid")
    x1, y1, x2, y2 = coord
    w, h = x2 - x1, y2 - y1
    return [x1 + w / 2.0, y1 + h / 2.0, w, h]


def obj_box_coord_centroid_to_upleft(coord: Sequence[float]) -> list[float]:
    """``[x_center, y_center, w, h]`` to ``[x, y, w, h]`` (up-left corner)."""
    _check4(coord, "obj_box_coord_centroid_to_upleft")
    xc, yc, w, h = coord
    return [xc - w / 2.0, yc - h / 2.0, w, h]


def obj_box_coord_upleft_to_centroid(coord: Sequence[float]) -> list[float]:
    """``[x, y, w, h]`` (up-left corner) to ``[x_center, y_center, w, h]``."""
    _check4(coord, "obj_box_coord_upleft_to_centroid")
    x, y, w, h = coord
    return [x + w / 2.0, y + h / 2.0, w, h]


def parse_darknet_ann_str_to_list(annotations: str) -> list[list[float]]:
    """Darknet annotation text (``"cls x y w h"`` lines) to ``[[cls, x, y, w, h], ...]``."""
    out = []
    for line in annotations.split("\n"):
        parts = line.split()
        if len(parts) == 5:
            out.append([int(parts[0])] + [float(v) for v in parts[1:]])
    return out


def parse_darknet_ann_list_to_cls_box(annotations: Sequence[Sequence[float]]
                                      ) -> tuple[list[Any], list[list[float]]]:
    """``[[cls, x, y, w, h], ...]`` to ``(classes, boxes)``."""
    return [a[0] for a in annotations], [list(a[1:]) for a in annotations]


def obj_box_horizontal_flip(im: Any, coords: Sequence[Sequence[float]] | None = None,
                            is_rescale: bool = False, is_center: bool = False,
                            is_random: bool = False, *, rng: Any = None
                            ) -> tuple[np.ndarray, list]:
    """Flip the image left-right and its boxes with it (``is_random``: probability 1/2)."""
    coords = [] if coords is None else coords
    im = np.asarray(im)
    if is_random and get_rng(rng).uniform(-1, 1) <= 0:
        return im, [list(c) for c in coords]
    im = flip_axis(im, axis=1)
    width = 1.0 if is_rescale else im.shape[1]
    out = []
    for c in coords:
        _check4(c, "obj_box_horizontal_flip")
        x = width - c[0] if is_center else width - c[0] - c[2]
        out.append([x, c[1], c[2], c[3]])
    return im, out


obj_box_left_right_flip = obj_box_horizontal_flip


def obj_box_imresize(im: Any, coords: Sequence[Sequence[float]] | None = None,
                     size: Sequence[int] | None = None, interp: str = "bicubic",
                     mode: str | None = None, is_rescale: bool = False
                     ) -> tuple[np.ndarray, list]:
    """Resize the image to ``size = (h, w)`` and scale pixel boxes (ratio boxes stay)."""
    coords = [] if coords is None else coords
    size = [100, 100] if size is None else list(size)
    im = np.asarray(im)
    imh, imw = float(im.shape[0]), float(im.shape[1])
    im = imresize(im, size=size, interp=interp, mode=mode)
    if is_rescale:
        return im, [list(c) for c in coords]
    out = []
    for c in coords:
        _check4(c, "obj_box_imresize")
        sx, sy = size[1] / imw, size[0] / imh
        out.append([int(c[0] * sx), int(c[1] * sy), int(c[2] * sx), int(c[3] * sy)])
    return im, out


def _move_boxes(coords: Sequence[Sequence[float]], classes: Sequence[Any] | None, im_shape: Any,
                new_shape: Any, move: Any, is_rescale: bool, is_center: bool,
                thresh_wh: float, thresh_wh2: float, who: str) -> tuple[list, list]:
    """Move pixel boxes with ``move([x, y, w, h]) -> [x, y, w, h]``, clip them to the new image,
    drop the ones outside or too thin."""
    new_h, new_w = new_shape[0], new_shape[1]

    def one(coord: list[float]) -> list[float] | None:
        if is_center:
            coord = obj_box_coord_centroid_to_upleft(coord)
        x, y, w, h = move(coord)
        if x < 0:
            if x + w <= 0:
                return None
            w, x = w + x, 0
        elif x > new_w:
            return None
        if y < 0:
            if y + h <= 0:
                return None
            h, y = h + y, 0
        elif y > new_h:
            return None
        w = min(w, new_w - x)
        h = min(h, new_h - y)
        if w / (h + 1.0) > thresh_wh2 or h / (w + 1.0) > thresh_wh2:
            return None
        if w / float(new_w) < thresh_wh or h / float(new_h) < thresh_wh:
            return None
        box = [x, y, w, h]
        return obj_box_coord_upleft_to_centroid(box) if is_center else box

    classes = [None] * len(coords) if classes is None else classes
    new_coords, new_classes = [], []
    for cls, coord in zip(classes, coords):
        _check4(coord, who)
        coord = list(coord)
        if is_rescale:
            # ratio boxes: to pixels of the old image, moved, back to ratios of the new one
            coord = [coord[0] * im_shape[1], coord[1] * im_shape[0], coord[2] * im_shape[1],
                     coord[3] * im_shape[0]]
        moved = one(coord)
        if moved is None:
            continue
        if is_rescale:
            moved = obj_box_coord_rescale(moved, new_shape)
        new_coords.append(moved)
        new_classes.append(cls)
    return new_classes, new_coords


def obj_box_crop(im: Any, classes: Sequence[Any] | None = None,
                 coords: Sequence[Sequence[float]] | None = None, wrg: int = 100, hrg: int = 100,
                 is_rescale: bool = False, is_center: bool = False, is_random: bool = False,
                 thresh_wh: float = 0.02, thresh_wh2: float = 12.0, *, rng: Any = None
                 ) -> tuple[np.ndarray, list, list]:
    """Crop ``hrg`` x ``wrg`` (central or random) and keep the boxes inside, clipped.

    Returns:
        ``(im_new, classes_new, coords_new)``.
    """
    im = np.asarray(im)
    coords = [] if coords is None else coords
    top, left = _crop_offsets(im.shape[0], im.shape[1], wrg, hrg, is_random, rng)
    im_new = im[top:top + hrg, left:left + wrg]
    cls, boxes = _move_boxes(coords, classes, im.shape, im_new.shape,
                             lambda c: [c[0] - left, c[1] - top, c[2], c[3]], is_rescale,
                             is_center, thresh_wh, thresh_wh2, "obj_box_crop")
    return im_new, cls, boxes


def obj_box_shift(im: Any, classes: Sequence[Any] | None = None,
                  coords: Sequence[Sequence[float]] | None = None, wrg: float = 0.1,
                  hrg: float = 0.1, row_index: int = 0, col_index: int = 1,
                  channel_index: int = 2, fill_mode: str = "nearest", cval: float = 0.0,
                  order: int = 1, is_rescale: bool = False, is_center: bool = False,
                  is_random: bool = False, thresh_wh: float = 0.02, thresh_wh2: float = 12.0,
                  *, rng: Any = None) -> tuple[np.ndarray, list, list]:
    """``shift`` the image and its boxes (see ``tl.prepro.shift``)."""
    im = np.asarray(im)
    coords = [] if coords is None else coords
    imh, imw = im.shape[row_index], im.shape[col_index]
    if is_random:
        r = get_rng(rng)
        tx, ty = r.uniform(-hrg, hrg) * imh, r.uniform(-wrg, wrg) * imw
    else:
        tx, ty = hrg * imh, wrg * imw
    m = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], dtype=np.float64)
    im_new = affine_transform(im, m, channel_index, fill_mode, cval, order)
    cls, boxes = _move_boxes(coords, classes, im.shape, im_new.shape,
                             lambda c: [c[0] - ty, c[1] - tx, c[2], c[3]], is_rescale,
                             is_center, thresh_wh, thresh_wh2, "obj_box_shift")
    return im_new, cls, boxes


def obj_box_zoom(im: Any, classes: Sequence[Any] | None = None,
                 coords: Sequence[Sequence[float]] | None = None,
                 zoom_range: Sequence[float] = (0.9, 1.1), row_index: int = 0,
                 col_index: int = 1, channel_index: int = 2, fill_mode: str = "nearest",
                 cval: float = 0.0, order: int = 1, is_rescale: bool = False,
                 is_center: bool = False, is_random: bool = False, thresh_wh: float = 0.02,
                 thresh_wh2: float = 12.0, *, rng: Any = None) -> tuple[np.ndarray, list, list]:
    """Zoom the image by ``(zx, zy)`` (rows, cols; TensorLayer's convention: > 1 zooms out;
    ``is_random`` draws both from the range) and move its boxes with it."""
    if len(zoom_range) != 2:
        raise ValueError(f"tl.prepro.obj_box_zoom: zoom_range must be (low, high), received "
                         f"{zoom_range!r}")
    im = np.asarray(im)
    coords = [] if coords is None else coords
    if is_random:
        zx, zy = get_rng(rng).uniform(zoom_range[0], zoom_range[1], 2)
    else:
        zx, zy = zoom_range
    h, w = im.shape[row_index], im.shape[col_index]
    m = transform_matrix_offset_center(np.diag([zx, zy, 1.0]), h, w)
    im_new = affine_transform(im, m, channel_index, fill_mode, cval, order)

    def move(c: list[float]) -> list[float]:
        # continuous coordinates: the image centre is (w/2, h/2)
        return [(c[0] - w / 2) / zy + w / 2, (c[1] - h / 2) / zx + h / 2, c[2] / zy, c[3] / zx]

    cls, boxes = _move_boxes(coords, classes, im.shape, im_new.shape, move, is_rescale,
                             is_center, thresh_wh, thresh_wh2, "obj_box_zoom")
    return im_new, cls, boxes
