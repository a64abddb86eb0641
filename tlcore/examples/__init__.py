"""Runnable tutorials for ``tlcore run``: the seed's ``tutorial_mnist.py`` set.

Each module has ``main(args) -> int`` and is registered in ``tlcore.plugins._core.EXAMPLES``.
Modules import TensorFlow only inside ``main``, so listing and ``--help`` stay fast.
"""
