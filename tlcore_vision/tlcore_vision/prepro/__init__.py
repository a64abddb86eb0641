"""``tl.prepro``: image, box and sequence preprocessing (TensorLayer 1.x ``tl.prepro``).

numpy/scipy functions for ``[H, W, C]`` images (random parameters from a passed ``rng`` or the
module Generator, see :func:`set_seed`), object-box helpers, sequence helpers, and TensorFlow
equivalents for ``tf.data`` pipelines (``random_crop``, ..., ``cifar10_augment``), which load
TensorFlow on first use only.
"""
from __future__ import annotations

import importlib
from typing import Any

from tlcore_vision.prepro._affine import (affine_horizontal_flip_matrix,
                                          affine_respective_zoom_matrix, affine_rotation_matrix,
                                          affine_shear_matrix, affine_shift_matrix,
                                          affine_transform, affine_transform_cv2,
                                          affine_transform_keypoints,
                                          affine_vertical_flip_matrix, affine_zoom_matrix,
                                          apply_transform, transform_matrix_offset_center)
from tlcore_vision.prepro._boxes import (obj_box_coord_centroid_to_upleft,
                                         obj_box_coord_centroid_to_upleft_butright,
                                         obj_box_coord_rescale,
                                         obj_box_coord_scale_to_pixelunit,
                                         obj_box_coord_upleft_butright_to_centroid,
                                         obj_box_coord_upleft_to_centroid, obj_box_coords_rescale,
                                         obj_box_crop, obj_box_horizontal_flip, obj_box_imresize,
                                         obj_box_left_right_flip, obj_box_shift, obj_box_zoom,
                                         parse_darknet_ann_list_to_cls_box,
                                         parse_darknet_ann_str_to_list)
from tlcore_vision.prepro._image import (crop, crop_multi, elastic_transform,
                                         elastic_transform_multi, flip_axis, flip_axis_multi,
                                         imresize, respective_zoom, rotation, rotation_multi,
                                         shear, shear2, shear_multi, shear_multi2, shift,
                                         shift_multi, threading_data, zoom, zoom_multi)
from tlcore_vision.prepro._photometric import (brightness, brightness_multi, channel_shift,
                                               channel_shift_multi, drop, featurewise_norm,
                                               get_zca_whitening_principal_components_img,
                                               illumination, samplewise_norm, zca_whitening)
from tlcore_vision.prepro._random import get_rng, set_seed
from tlcore_vision.prepro._sequences import (pad_sequences, process_sequences,
                                             remove_pad_sequences, sequences_add_end_id,
                                             sequences_add_end_id_after_pad,
                                             sequences_add_start_id, sequences_get_mask)

#: TensorFlow functions, imported on first access (``tl.prepro`` itself stays numpy-only)
_TF_EXPORTS = ("random_crop", "random_flip_left_right", "random_flip_up_down",
               "random_brightness", "random_contrast", "per_image_standardization",
               "central_crop", "cifar10_augment")

__all__ = [
    # random source
    "set_seed", "get_rng",
    # threading and geometry
    "threading_data", "rotation", "rotation_multi", "crop", "crop_multi", "flip_axis",
    "flip_axis_multi", "shift", "shift_multi", "shear", "shear_multi", "shear2", "shear_multi2",
    "zoom", "zoom_multi", "respective_zoom", "elastic_transform", "elastic_transform_multi",
    "imresize",
    # affine-matrix API
    "affine_rotation_matrix", "affine_horizontal_flip_matrix", "affine_vertical_flip_matrix",
    "affine_shift_matrix", "affine_shear_matrix", "affine_zoom_matrix",
    "affine_respective_zoom_matrix", "transform_matrix_offset_center", "affine_transform",
    "apply_transform", "affine_transform_cv2", "affine_transform_keypoints",
    # photometric and normalization
    "brightness", "brightness_multi", "illumination", "channel_shift", "channel_shift_multi",
    "samplewise_norm", "featurewise_norm", "get_zca_whitening_principal_components_img",
    "zca_whitening", "drop",
    # boxes
    "obj_box_coords_rescale", "obj_box_coord_rescale", "obj_box_coord_scale_to_pixelunit",
    "obj_box_coord_centroid_to_upleft_butright", "obj_box_coord_upleft_butright_to_centroid",
    "obj_box_coord_centroid_to_upleft", "obj_box_coord_upleft_to_centroid",
    "parse_darknet_ann_str_to_list", "parse_darknet_ann_list_to_cls_box",
    "obj_box_horizontal_flip", "obj_box_left_right_flip", "obj_box_imresize", "obj_box_crop",
    "obj_box_shift", "obj_box_zoom",
    # sequences
    "pad_sequences", "remove_pad_sequences", "process_sequences", "sequences_add_start_id",
    "sequences_add_end_id", "sequences_add_end_id_after_pad", "sequences_get_mask",
    # TensorFlow (tf.data)
    *_TF_EXPORTS,
]


def __getattr__(name: str) -> Any:
    if name in _TF_EXPORTS:
        obj = getattr(importlib.import_module("tlcore_vision.prepro._tf"), name)
        globals()[name] = obj
        return obj
    raise AttributeError(f"module 'tl.prepro' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
