"""Pictures: ``tl.visualize`` (alias ``tl.vis``), TensorLayer 1.11's names plus training curves.

matplotlib (Agg, off-screen) and Pillow are imported when a function is called, never at
``import tlcore``. A function given ``saveable=True`` (the default except for
``tsne_embedding``, as in TensorLayer) writes a PNG named ``name`` (``.png`` appended when the
name has no image suffix) and returns its path; otherwise it returns the matplotlib Figure.
Nothing opens a window unless ``show=True``.

>>> import tlcore as tl
>>> tl.vis.W(network.all_params[0], shape=[28, 28], name="out/w1")  # doctest: +SKIP
'out/w1.png'
"""
from __future__ import annotations

from tlcore.visualize._curves import curves, heatmap, image_rows, training_curves
from tlcore.visualize._figures import CNN2d, W, draw_weights, frame, images2d, tsne_embedding
from tlcore.visualize._images import (draw_boxes_and_labels_to_image, read_image, read_images,
                                      save_image, save_images)

__all__ = [
    "CNN2d",
    "W",
    "curves",
    "draw_boxes_and_labels_to_image",
    "draw_weights",
    "frame",
    "heatmap",
    "image_rows",
    "images2d",
    "read_image",
    "read_images",
    "save_image",
    "save_images",
    "training_curves",
    "tsne_embedding",
]
