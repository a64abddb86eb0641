"""TensorLayer 1.11.1 tests/test_decorators.py, translated."""
import unittest

import tlcore as tl
from tlcore.decorators import private_method


class Layer_Pooling_Test(unittest.TestCase):  # the original's class name

    @classmethod
    def setUpClass(cls):

        class MyClass(object):

            @private_method
            def _private_func(self):
                tl.logging.debug("I am private")

            def public_func(self):
                tl.logging.debug("I am public and calling now the private func")
                self._private_func()

        cls.my_object = MyClass()

    def test_call_from_public_method(self):
        self.my_object.public_func()  # assertNotRaises(RuntimeError)

    def test_call_private_method(self):
        with self.assertRaises(RuntimeError):
            self.my_object._private_func()
