"""TensorLayer 1.11.1 tests/test_utils_predict.py, ported: predict in batches of 8 on a network
with a free batch dim (127 rows) and on one whose batch is fixed to 8 (7 rows must raise)."""
import numpy as np
import pytest
import tensorflow as tf

import tlcore as tl

batch_size = 8


def test_case1():
    n = tl.layers.InputLayer(tf.TensorSpec([None, 5, 5, 3], tf.float32))
    out = tl.utils.predict(n, np.ones([127, 5, 5, 3]), batch_size=batch_size, y_op=tf.nn.softmax)
    assert np.asarray(out).shape == (127, 5, 5, 3)


def test_case2():
    n = tl.layers.InputLayer(tf.TensorSpec([8, 5, 5, 3], tf.float32))
    with pytest.raises(ValueError, match=r"fixed batch size of 8"):
        tl.utils.predict(n, np.ones([7, 5, 5, 3]), batch_size=batch_size, y_op=tf.nn.softmax)
