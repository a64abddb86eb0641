"""TensorLayer 1.11.1 tests/test_logging.py, translated (assertNotRaises: a plain call)."""
import unittest

import tlcore as tl


class TL_Logger_Test(unittest.TestCase):

    def test_debug(self):
        tl.logging.debug("This is a debug message")

    def test_error(self):
        tl.logging.error("This is an error message")

    def test_fatal(self):
        tl.logging.fatal("This is a fatal error message")

    def test_info(self):
        tl.logging.info("This is an information message")

    def test_warn(self):
        tl.logging.warn("This is a warning message")

    def test_set_verbosity(self):
        level = tl.logging.get_verbosity()
        try:
            tl.logging.set_verbosity(tl.logging.DEBUG)
            tl.logging.set_verbosity(tl.logging.INFO)
            tl.logging.set_verbosity(tl.logging.WARN)
            tl.logging.set_verbosity(tl.logging.ERROR)
            tl.logging.set_verbosity(tl.logging.FATAL)
        finally:
            tl.logging.set_verbosity(level)

    def test_get_verbosity(self):
        tl.logging.get_verbosity()
