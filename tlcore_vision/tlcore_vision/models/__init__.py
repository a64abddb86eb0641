"""``tl.models``: VGG16, VGG19, MobileNetV1 and SqueezeNetV1 as tlcore networks.

Each builder returns the network's last layer (a tlcore ``Layer`` standing for the whole
network) with a ``restore_params(path)`` method; weights are not shipped: pass the npz file.
"""
from __future__ import annotations

from tlcore_vision.models._restore import restore_params
from tlcore_vision.models.mobilenet import MobileNetV1
from tlcore_vision.models.squeezenet import SqueezeNetV1
from tlcore_vision.models.vgg import VGG16, VGG19

__all__ = ["VGG16", "VGG19", "MobileNetV1", "SqueezeNetV1", "restore_params"]
