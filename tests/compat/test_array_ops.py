"""TensorLayer 1.11.1 tests/test_array_ops.py, translated (eager: no session).

The original compared with ``np.array_equal`` without asserting; here the comparison is asserted.
Its literal arrays are written with ``np.full`` (the same values).
"""
import unittest

import numpy as np
import tensorflow as tf

import tlcore as tl


class Array_Op_Alphas_Test(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        b1 = tl.alphas([4, 3, 2, 1], 0.5431)
        b2 = tl.alphas([4, 3, 2], 5)
        b3 = tl.alphas([1, 2, 3, 4], -5)
        b4 = tl.alphas([2, 3, 4], True)
        cls._b1, cls._b2, cls._b3, cls._b4 = (np.asarray(b) for b in (b1, b2, b3, b4))

    def test_b1(self):
        self.assertEqual(self._b1.shape, (4, 3, 2, 1))
        self.assertTrue(np.allclose(self._b1, np.full((4, 3, 2, 1), 0.5431)))

    def test_b2(self):
        self.assertEqual(self._b2.shape, (4, 3, 2))
        self.assertTrue(np.array_equal(self._b2, np.full((4, 3, 2), 5)))

    def test_b3(self):
        self.assertEqual(self._b3.shape, (1, 2, 3, 4))
        self.assertTrue(np.array_equal(self._b3, np.full((1, 2, 3, 4), -5)))

    def test_b4(self):
        self.assertEqual(self._b4.shape, (2, 3, 4))
        self.assertTrue(np.array_equal(self._b4, np.full((2, 3, 4), True)))


class Array_Op_Alphas_Like_Test(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        a = tf.constant([[[4, 5, 6], [1, 2, 3]], [[4, 5, 6], [1, 2, 3]]])
        # Deliberate difference: tlcore's alphas_like takes the dtype of ``a`` (int32 here), as
        # tf.ones_like does; 1.11 took the value's. A value of another kind needs dtype=.
        b1 = tl.alphas_like(a, 0.5431, dtype=tf.float32)
        b2 = tl.alphas_like(a, 5)
        b3 = tl.alphas_like(a, -5)
        b4 = tl.alphas_like(a, True, dtype=tf.bool)
        cls._b1, cls._b2, cls._b3, cls._b4 = (np.asarray(b) for b in (b1, b2, b3, b4))

    def test_b1(self):
        self.assertEqual(self._b1.shape, (2, 2, 3))
        self.assertTrue(np.allclose(self._b1, np.full((2, 2, 3), 0.5431)))

    def test_b2(self):
        self.assertEqual(self._b2.shape, (2, 2, 3))
        self.assertTrue(np.array_equal(self._b2, np.full((2, 2, 3), 5)))

    def test_b3(self):
        self.assertEqual(self._b3.shape, (2, 2, 3))
        self.assertTrue(np.array_equal(self._b3, np.full((2, 2, 3), -5)))

    def test_b4(self):
        self.assertEqual(self._b4.shape, (2, 2, 3))
        self.assertTrue(np.array_equal(self._b4, np.full((2, 2, 3), True)))

    def test_value_of_another_dtype_says_to_pass_dtype(self):
        a = tf.constant([[[4, 5, 6], [1, 2, 3]], [[4, 5, 6], [1, 2, 3]]])
        with self.assertRaisesRegex(TypeError, "0.5431.*int32.*dtype="):
            tl.alphas_like(a, 0.5431)
