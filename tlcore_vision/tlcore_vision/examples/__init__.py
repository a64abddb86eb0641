"""Runnable examples of the vision plugin (``tlcore run mnist-cnn``, ``tlcore run cifar10-cnn``)."""
