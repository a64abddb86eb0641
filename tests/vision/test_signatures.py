"""Every registered vision layer takes TensorLayer 1.11's arguments in 1.11's positional
order, ``prev_layer`` first, so ported calls such as ``Conv2d(net, 32, (5, 5))`` bind as they
did. The table lists 1.11.1's ``__init__`` parameters (facts read from its source)."""
from __future__ import annotations

import inspect

import pytest

import tlcore as tl
from tlcore_vision.plugin import LAYERS

#: class -> 1.11.1's positional parameters, in order
TL_1_11 = {
    "AtrousConv1dLayer":
        "prev_layer n_filter filter_size stride dilation act padding data_format W_init b_init "
        "W_init_args b_init_args name",
    "AtrousConv2dLayer":
        "prev_layer n_filter filter_size rate act padding W_init b_init W_init_args b_init_args "
        "name",
    "AtrousDeConv2dLayer":
        "prev_layer shape output_shape rate act padding W_init b_init W_init_args b_init_args "
        "name",
    "BinaryConv2d":
        "prev_layer n_filter filter_size strides act padding use_gemm W_init b_init W_init_args "
        "b_init_args use_cudnn_on_gpu data_format name",
    "Conv1d":
        "prev_layer n_filter filter_size stride dilation_rate act padding data_format W_init "
        "b_init W_init_args b_init_args name",
    "Conv1dLayer":
        "prev_layer act shape stride dilation_rate padding data_format W_init b_init W_init_args "
        "b_init_args name",
    "Conv2d":
        "prev_layer n_filter filter_size strides act padding data_format dilation_rate W_init "
        "b_init W_init_args b_init_args use_cudnn_on_gpu name",
    "Conv2dLayer":
        "prev_layer act shape strides padding W_init b_init W_init_args b_init_args "
        "use_cudnn_on_gpu data_format name",
    "Conv3dLayer":
        "prev_layer shape strides padding act W_init b_init W_init_args b_init_args name",
    "DeConv2d":
        "prev_layer n_filter filter_size strides padding act data_format W_init b_init "
        "W_init_args b_init_args name",
    "DeConv2dLayer":
        "prev_layer act shape output_shape strides padding W_init b_init W_init_args b_init_args "
        "name",
    "DeConv3d":
        "prev_layer n_filter filter_size strides padding act data_format W_init b_init "
        "W_init_args b_init_args name",
    "DeConv3dLayer":
        "prev_layer act shape output_shape strides padding W_init b_init W_init_args b_init_args "
        "name",
    "DeformableConv2d":
        "prev_layer offset_layer n_filter filter_size act name W_init b_init W_init_args "
        "b_init_args",
    "DepthwiseConv2d":
        "prev_layer shape strides act padding dilation_rate depth_multiplier W_init b_init "
        "W_init_args b_init_args name",
    "DorefaConv2d":
        "prev_layer bitW bitA n_filter filter_size strides act padding use_gemm W_init b_init "
        "W_init_args b_init_args use_cudnn_on_gpu data_format name",
    "DownSampling2dLayer": "prev_layer size is_scale method align_corners name",
    "GlobalMaxPool1d": "prev_layer data_format name",
    "GlobalMaxPool2d": "prev_layer data_format name",
    "GlobalMaxPool3d": "prev_layer data_format name",
    "GlobalMeanPool1d": "prev_layer data_format name",
    "GlobalMeanPool2d": "prev_layer data_format name",
    "GlobalMeanPool3d": "prev_layer data_format name",
    "GroupConv2d":
        "prev_layer n_filter filter_size strides n_group act padding W_init b_init W_init_args "
        "b_init_args name",
    "GroupNormLayer": "prev_layer groups epsilon act data_format name",
    "InstanceNormLayer": "prev_layer act epsilon name",
    "LocalResponseNormLayer": "prev_layer depth_radius bias alpha beta name",
    "MaxPool1d": "prev_layer filter_size strides padding data_format name",
    "MaxPool2d": "prev_layer filter_size strides padding data_format name",
    "MaxPool3d": "prev_layer filter_size strides padding data_format name",
    "MeanPool1d": "prev_layer filter_size strides padding data_format name",
    "MeanPool2d": "prev_layer filter_size strides padding data_format name",
    "MeanPool3d": "prev_layer filter_size strides padding data_format name",
    "PadLayer": "prev_layer padding mode name",
    "PoolLayer": "prev_layer ksize strides padding pool name",
    "QuanConv2d":
        "prev_layer n_filter filter_size strides padding act bitW bitA use_gemm W_init b_init "
        "W_init_args b_init_args use_cudnn_on_gpu data_format name",
    "QuanConv2dWithBN":
        "prev_layer n_filter filter_size strides padding act decay epsilon is_train gamma_init "
        "beta_init bitW bitA use_gemm W_init W_init_args use_cudnn_on_gpu data_format name",
    "SeparableConv1d":
        "prev_layer n_filter filter_size strides act padding data_format dilation_rate "
        "depth_multiplier depthwise_init pointwise_init b_init W_init_args b_init_args name",
    "SeparableConv2d":
        "prev_layer n_filter filter_size strides act padding data_format dilation_rate "
        "depth_multiplier depthwise_init pointwise_init b_init W_init_args b_init_args name",
    "SpatialTransformer2dAffineLayer": "prev_layer theta_layer out_size name",
    "SubpixelConv1d": "prev_layer scale act name",
    "SubpixelConv2d": "prev_layer scale n_out_channel act name",
    "SwitchNormLayer": "prev_layer act epsilon beta_init gamma_init moving_mean_init name",
    "TernaryConv2d":
        "prev_layer n_filter filter_size strides act padding use_gemm W_init b_init W_init_args "
        "b_init_args use_cudnn_on_gpu data_format name",
    "UpSampling2dLayer": "prev_layer size is_scale method align_corners name",
    "ZeroPad1d": "prev_layer padding name",
    "ZeroPad2d": "prev_layer padding name",
    "ZeroPad3d": "prev_layer padding name",
}

#: dict arguments of 1.11 that tlcore replaced by configured initializers (STYLE: no *_args)
DROPPED = {"W_init_args", "b_init_args"}


def _params(cls):
    ps = list(inspect.signature(cls.__init__).parameters.values())[1:]
    positional = [p.name for p in ps if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword = [p.name for p in ps if p.kind is p.KEYWORD_ONLY]
    return positional, keyword


def test_every_layer_class_is_in_the_table():
    classes = {n for n, t in LAYERS.items() if isinstance(getattr(tl.layers, n), type)}
    assert classes == set(TL_1_11)


@pytest.mark.parametrize("name", sorted(TL_1_11))
def test_positional_order_is_tensorlayers(name):
    positional, keyword = _params(getattr(tl.layers, name))
    ref = TL_1_11[name].split()
    # up to the first dropped argument, 1.11's positional order is kept exactly
    cut = next((i for i, a in enumerate(ref) if a in DROPPED), len(ref))
    assert positional[:cut] == ref[:cut]
    # every later argument (name, use_cudnn_on_gpu, data_format ...) is still accepted
    assert set(ref[cut:]) - DROPPED <= set(positional) | set(keyword)
