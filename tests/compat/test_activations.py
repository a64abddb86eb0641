"""TensorLayer 1.11.1 tests/test_activations.py, translated (eager: no session, no feed)."""
import unittest

import tensorflow as tf

import tlcore as tl


class Test_Leaky_ReLUs(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.alpha = 0.2
        # The TF1 test fed one variable; here each value goes straight into the function.
        cls.lrelu_out = staticmethod(lambda x: tl.act.leaky_relu(x, alpha=cls.alpha))
        cls.lrelu6_out = staticmethod(lambda x: tl.act.leaky_relu6(x, alpha=cls.alpha))
        cls.ltrelu6_out = staticmethod(lambda x: tl.act.leaky_twice_relu6(
            x, alpha_low=cls.alpha, alpha_high=cls.alpha))

    def test_lrelu(self):
        for i in range(-5, 15):
            good_output = i if i > 0 else self.alpha * i
            computed_output = float(self.lrelu_out(tf.constant(i, tf.float32)))
            self.assertAlmostEqual(computed_output, good_output, places=5)

    def test_lrelu6(self):
        for i in range(-5, 15):
            good_output = self.alpha * i if i < 0 else min(6, i)
            computed_output = float(self.lrelu6_out(tf.constant(i, tf.float32)))
            self.assertAlmostEqual(computed_output, good_output, places=5)

    def test_ltrelu6(self):
        for i in range(-5, 15):
            if i < 0:
                good_output = self.alpha * i
            elif i < 6:
                good_output = i
            else:
                good_output = 6 + (self.alpha * (i - 6))
            computed_output = float(self.ltrelu6_out(tf.constant(i, tf.float32)))
            self.assertAlmostEqual(computed_output, good_output, places=5)
