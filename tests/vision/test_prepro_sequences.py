"""Tests for tlcore_vision/prepro/_sequences.py and _boxes.py: TensorLayer's documented
examples plus properties."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tlcore_vision import prepro

seqs = st.lists(st.lists(st.integers(1, 9), max_size=6), min_size=1, max_size=4)


def test_pad_sequences_documented_example_and_options():
    s = [[1, 1, 1, 1, 1], [2, 2, 2], [3, 3]]
    assert prepro.pad_sequences(s) == [[1, 1, 1, 1, 1], [2, 2, 2, 0, 0], [3, 3, 0, 0, 0]]
    assert prepro.pad_sequences(s, maxlen=3, padding="pre", truncating="post", value=9) == [
        [1, 1, 1], [2, 2, 2], [9, 3, 3]]
    assert prepro.pad_sequences(s, maxlen=2) == [[1, 1], [2, 2], [3, 3]]
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post', received 'mid'"):
        prepro.pad_sequences(s, padding="mid")


@given(seqs, st.sampled_from(["pre", "post"]))
def test_pad_then_remove_pad_round_trip(sequences, padding):
    padded = prepro.pad_sequences(sequences, padding=padding)
    assert np.asarray(padded).shape == (len(sequences), max(len(s) for s in sequences))
    if padding == "post":  # ids are >= 1, so only padding is 0
        assert prepro.remove_pad_sequences(padded) == sequences
    mask = prepro.sequences_get_mask(prepro.pad_sequences(sequences))
    assert mask.sum(axis=1).tolist() == [len(s) for s in sequences]


def test_sequence_helpers_documented_examples():
    assert prepro.remove_pad_sequences([[2, 3, 4, 0, 0], [5, 1, 2, 3, 4, 0], [4, 5, 0, 2, 4, 0]]
                                       ) == [[2, 3, 4], [5, 1, 2, 3, 4], [4, 5, 0, 2, 4]]
    ids = [[4, 3, 5, 3, 2, 2, 2, 2], [5, 3, 9, 4, 9, 2, 2, 3]]
    assert prepro.process_sequences(ids, end_id=2) == [[4, 3, 5, 3, 0], [5, 3, 9, 4, 9]]
    assert prepro.process_sequences(ids, end_id=2, remain_end_id=True) == [
        [4, 3, 5, 3, 2, 0], [5, 3, 9, 4, 9, 2]]
    assert ids[0] == [4, 3, 5, 3, 2, 2, 2, 2], "the input was modified"
    assert prepro.sequences_add_start_id(ids[:1], start_id=2, remove_last=True) == [
        [2, 4, 3, 5, 3, 2, 2, 2]]
    assert prepro.sequences_add_start_id([[1, 2]], start_id=0) == [[0, 1, 2]]
    assert prepro.sequences_add_end_id([[1, 2, 3], [4, 5, 6, 7]], end_id=999) == [
        [1, 2, 3, 999], [4, 5, 6, 7, 999]]
    assert prepro.sequences_add_end_id_after_pad([[1, 2, 0, 0], [1, 2, 3, 0], [1, 2, 3, 4]],
                                                 end_id=99) == [[1, 2, 99, 0], [1, 2, 3, 99],
                                                                [1, 2, 3, 4]]
    assert prepro.sequences_get_mask([[2, 3, 4, 0, 0], [5, 1, 2, 3, 4], [4, 5, 0, 2, 0]]
                                     ).tolist() == [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1],
                                                    [1, 1, 1, 1, 0]]


# -- boxes ------------------------------------------------------------------------------------

def test_coordinate_conversions_round_trip():
    box = [10.0, 20.0, 30.0, 40.0]
    ul = prepro.obj_box_coord_centroid_to_upleft(box)
    assert ul == [-5.0, 0.0, 30.0, 40.0]
    assert prepro.obj_box_coord_upleft_to_centroid(ul) == box
    corners = prepro.obj_box_coord_centroid_to_upleft_butright(box)
    assert corners == [-5.0, 0.0, 25.0, 40.0]
    assert prepro.obj_box_coord_upleft_butright_to_centroid(corners) == box
    assert prepro.obj_box_coords_rescale([[30, 40, 50, 50]], shape=[100, 100]) == [
        [0.3, 0.4, 0.5, 0.5]]
    assert prepro.obj_box_coord_scale_to_pixelunit([0.3, 0.4, 0.5, 0.5], (100, 200, 3)) == [
        60, 40, 100, 50]
    with pytest.raises(ValueError, match=r"a box is \[x, y, w, h\], received \[1, 2\]"):
        prepro.obj_box_coord_upleft_to_centroid([1, 2])


def test_darknet_parsing():
    ann = prepro.parse_darknet_ann_str_to_list("0 0.5 0.5 0.2 0.3\n\n3 0.1 0.2 0.3 0.4\n")
    assert ann == [[0, 0.5, 0.5, 0.2, 0.3], [3, 0.1, 0.2, 0.3, 0.4]]
    assert prepro.parse_darknet_ann_list_to_cls_box(ann) == ([0, 3], [[0.5, 0.5, 0.2, 0.3],
                                                                      [0.1, 0.2, 0.3, 0.4]])


@pytest.mark.parametrize("is_center", [False, True])
def test_horizontal_flip_twice_is_identity_for_image_and_boxes(is_center):
    im = np.random.default_rng(0).random((10, 20, 3))
    boxes = [[2.0, 3.0, 5.0, 4.0], [10.0, 1.0, 3.0, 3.0]]
    im1, b1 = prepro.obj_box_horizontal_flip(im, boxes, is_center=is_center)
    assert b1[0][0] == (18.0 if is_center else 13.0)
    im2, b2 = prepro.obj_box_horizontal_flip(im1, b1, is_center=is_center)
    np.testing.assert_array_equal(im2, im)
    assert b2 == boxes
    _, r = prepro.obj_box_horizontal_flip(im, [[0.1, 0.2, 0.3, 0.4]], is_rescale=True)
    np.testing.assert_allclose(r, [[0.6, 0.2, 0.3, 0.4]])


def test_box_follows_pixels_under_crop_and_shift():
    im = np.zeros((40, 40, 1))
    im[10:20, 12:18] = 1.0  # an object at x=12, y=10, w=6, h=10
    box = [[12, 10, 6, 10]]
    out, cls, boxes = prepro.obj_box_crop(im, ["a"], box, wrg=30, hrg=30)  # offset 5, 5
    assert cls == ["a"] and boxes == [[7, 5, 6, 10]]
    np.testing.assert_array_equal(np.argwhere(out[..., 0] > 0.5).min(0), [5, 7])
    out, cls, boxes = prepro.obj_box_shift(im, [1], box, wrg=4 / 40, hrg=2 / 40, order=0,
                                           fill_mode="constant")
    assert boxes == [[8.0, 8.0, 6, 10]]
    ys, xs = np.nonzero(out[..., 0] > 0.5)
    assert (xs.min(), ys.min(), xs.max() - xs.min() + 1, ys.max() - ys.min() + 1) == (8, 8, 6, 10)


def test_boxes_outside_or_too_thin_are_dropped_and_clipped():
    im = np.zeros((40, 40, 1))
    boxes = [[0, 0, 4, 4], [30, 30, 10, 10], [10, 15, 20, 0.5], [8, 8, 10, 10], [12, 12, 6, 1]]
    _, cls, out = prepro.obj_box_crop(im, [0, 1, 2, 3, 4], boxes, wrg=20, hrg=20)  # offset 10
    # 0 lies outside; 1 is clipped to nothing (thresh_wh); 2 is too thin (20 / 1.5 > 12);
    # 3 is clipped at the up-left corner
    assert cls == [3, 4] and out == [[0, 0, 8, 8], [2, 2, 6, 1]]
    _, cls, out = prepro.obj_box_crop(im, [0, 1, 2, 3, 4], boxes, wrg=20, hrg=20, thresh_wh=0.1)
    assert cls == [3] and out == [[0, 0, 8, 8]]


def test_crop_zoom_with_ratio_boxes():
    im = np.zeros((50, 100, 3))
    _, _, out = prepro.obj_box_crop(im, [0], [[0.5, 0.5, 0.2, 0.2]], wrg=50, hrg=50,
                                    is_rescale=True, is_center=True)
    np.testing.assert_allclose(out, [[0.5, 0.5, 0.4, 0.2]])
    _, _, z = prepro.obj_box_zoom(im, [0], [[0.5, 0.5, 0.2, 0.2]], zoom_range=(1.0, 2.0),
                                  is_rescale=True, is_center=True)  # half the width shown
    np.testing.assert_allclose(z, [[0.5, 0.5, 0.1, 0.2]])


def test_obj_box_imresize_scales_pixel_boxes():
    im = np.zeros((20, 40, 3), dtype=np.uint8)
    out, boxes = prepro.obj_box_imresize(im, [[10, 4, 8, 6]], size=(10, 80))
    assert out.shape == (10, 80, 3) and boxes == [[20, 2, 16, 3]]
