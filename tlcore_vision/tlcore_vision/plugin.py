"""The ``vision`` plugin's manifest: what it registers with tlcore, as tables. Cheap to import
(no TensorFlow)."""
from __future__ import annotations

from tlcore.plugins import Manifest

_L = "tlcore_vision.layers."

#: registered name -> "module:attr" target
LAYERS: dict[str, str] = {
    # conv.py
    "Conv1dLayer": _L + "conv:Conv1dLayer",
    "Conv2dLayer": _L + "conv:Conv2dLayer",
    "Conv3dLayer": _L + "conv:Conv3dLayer",
    "Conv1d": _L + "conv:Conv1d",
    "Conv2d": _L + "conv:Conv2d",
    # deconv.py
    "DeConv2dLayer": _L + "deconv:DeConv2dLayer",
    "DeConv3dLayer": _L + "deconv:DeConv3dLayer",
    "DeConv2d": _L + "deconv:DeConv2d",
    "DeConv3d": _L + "deconv:DeConv3d",
    # atrous.py
    "AtrousConv1dLayer": _L + "atrous:AtrousConv1dLayer",
    "AtrousConv2dLayer": _L + "atrous:AtrousConv2dLayer",
    "AtrousDeConv2dLayer": _L + "atrous:AtrousDeConv2dLayer",
    # separable.py
    "DepthwiseConv2d": _L + "separable:DepthwiseConv2d",
    "SeparableConv1d": _L + "separable:SeparableConv1d",
    "SeparableConv2d": _L + "separable:SeparableConv2d",
    # group_conv.py
    "GroupConv2d": _L + "group_conv:GroupConv2d",
    # subpixel.py
    "SubpixelConv1d": _L + "subpixel:SubpixelConv1d",
    "SubpixelConv2d": _L + "subpixel:SubpixelConv2d",
    # pooling.py
    "PoolLayer": _L + "pooling:PoolLayer",
    **{f"{kind}Pool{r}d": f"{_L}pooling:{kind}Pool{r}d"
       for kind in ("Max", "Mean", "GlobalMax", "GlobalMean") for r in (1, 2, 3)},
    # padding.py
    "PadLayer": _L + "padding:PadLayer",
    "ZeroPad1d": _L + "padding:ZeroPad1d",
    "ZeroPad2d": _L + "padding:ZeroPad2d",
    "ZeroPad3d": _L + "padding:ZeroPad3d",
    # resampling.py
    "UpSampling2dLayer": _L + "resampling:UpSampling2dLayer",
    "DownSampling2dLayer": _L + "resampling:DownSampling2dLayer",
    # normalization.py
    "LocalResponseNormLayer": _L + "normalization:LocalResponseNormLayer",
    "InstanceNormLayer": _L + "normalization:InstanceNormLayer",
    "GroupNormLayer": _L + "normalization:GroupNormLayer",
    "SwitchNormLayer": _L + "normalization:SwitchNormLayer",
    # quantized_conv.py
    **{name: f"{_L}quantized_conv:{name}" for name in (
        "BinaryConv2d", "TernaryConv2d", "DorefaConv2d", "QuanConv2d", "QuanConv2dWithBN")},
    # deformable.py
    "DeformableConv2d": _L + "deformable:DeformableConv2d",
    # spatial_transformer.py
    "SpatialTransformer2dAffineLayer": _L + "spatial_transformer:SpatialTransformer2dAffineLayer",
}


#: namespace -> module target: ``tl.prepro``, ``tl.models``
MODULES: dict[str, str] = {
    "prepro": "tlcore_vision.prepro:",
    "models": "tlcore_vision.models:",
}

#: dataset name (tl.files.load_<name>_dataset) -> "module:attr"
DATASETS: dict[str, str] = {
    "cifar10": "tlcore_vision.datasets:load_cifar10_dataset",
    "cropped_svhn": "tlcore_vision.datasets:load_cropped_svhn",
}

#: example name (tlcore run <name>) -> "module:attr" of a ``main(args) -> int``
EXAMPLES: dict[str, str] = {
    "mnist-cnn": "tlcore_vision.examples.mnist_cnn:main",
    "cifar10-cnn": "tlcore_vision.examples.cifar10_cnn:main",
}

#: layer helpers (functions, cells: tl.layers.<name> but not Layer subclasses)
LAYER_HELPERS: dict[str, str] = {
    "transformer": _L + "spatial_transformer:transformer",
    "batch_transformer": _L + "spatial_transformer:batch_transformer",
}

manifest = Manifest(layers=LAYERS, layer_helpers=LAYER_HELPERS, modules=MODULES,
                    datasets=DATASETS, examples=EXAMPLES)
