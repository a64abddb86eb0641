"""The built-in plugin ``core``: the core's layers, datasets and examples, as tables.

Targets are "module:attr" strings so that nothing here imports TensorFlow. Add a line to the
table of the kind you provide; the registry always loads this plugin first.
"""
from __future__ import annotations

from tlcore.plugins._manifest import Manifest

#: layer or layer-helper name -> "module:attr"
LAYERS: dict[str, str] = {
    "Layer": "tlcore.layers.core:Layer",
    "InputLayer": "tlcore.layers.core:InputLayer",
    "IndexingLayer": "tlcore.layers.core:IndexingLayer",
    "DenseLayer": "tlcore.layers.dense:DenseLayer",
    "DropoutLayer": "tlcore.layers.dropout:DropoutLayer",
    "ReconLayer": "tlcore.layers.recon:ReconLayer",
    "FlattenLayer": "tlcore.layers.shape:FlattenLayer",
    "ReshapeLayer": "tlcore.layers.shape:ReshapeLayer",
    "TransposeLayer": "tlcore.layers.shape:TransposeLayer",
    "ExpandDimsLayer": "tlcore.layers.shape:ExpandDimsLayer",
    "TileLayer": "tlcore.layers.shape:TileLayer",
    "ConcatLayer": "tlcore.layers.merge:ConcatLayer",
    "ElementwiseLayer": "tlcore.layers.merge:ElementwiseLayer",
    "ElementwiseLambdaLayer": "tlcore.layers.merge:ElementwiseLambdaLayer",
    "StackLayer": "tlcore.layers.merge:StackLayer",
    "UnStackLayer": "tlcore.layers.merge:UnStackLayer",
    "MultiplexerLayer": "tlcore.layers.merge:MultiplexerLayer",
    "GaussianNoiseLayer": "tlcore.layers.noise:GaussianNoiseLayer",
    "DropconnectDenseLayer": "tlcore.layers.dropconnect:DropconnectDenseLayer",
    "OneHotInputLayer": "tlcore.layers.onehot:OneHotInputLayer",
    "BatchNormLayer": "tlcore.layers.normalization:BatchNormLayer",
    "LayerNormLayer": "tlcore.layers.normalization:LayerNormLayer",
    "PReluLayer": "tlcore.layers.activation_layers:PReluLayer",
    "PRelu6Layer": "tlcore.layers.activation_layers:PRelu6Layer",
    "PTRelu6Layer": "tlcore.layers.activation_layers:PTRelu6Layer",
    "ScaleLayer": "tlcore.layers.activation_layers:ScaleLayer",
    "SignLayer": "tlcore.layers.activation_layers:SignLayer",
    "LambdaLayer": "tlcore.layers.lambda_layers:LambdaLayer",
    "KerasLayer": "tlcore.layers.keras_layer:KerasLayer",
    "TimeDistributedLayer": "tlcore.layers.time_distributed:TimeDistributedLayer",
    "BinaryDenseLayer": "tlcore.layers.quantized:BinaryDenseLayer",
    "TernaryDenseLayer": "tlcore.layers.quantized:TernaryDenseLayer",
    "DorefaDenseLayer": "tlcore.layers.quantized:DorefaDenseLayer",
    "QuanDenseLayer": "tlcore.layers.quantized:QuanDenseLayer",
    "QuanDenseLayerWithBN": "tlcore.layers.quantized:QuanDenseLayerWithBN",
}

#: tl.layers.<name> entries that are not Layer subclasses (TensorLayer's helpers)
LAYER_HELPERS: dict[str, str] = {
    "reuse": "tlcore.layers.sharing:reuse",
    "LayersConfig": "tlcore.layers.compat:LayersConfig",
    "get_variables_with_name": "tlcore.layers.compat:get_variables_with_name",
    "get_layers_with_name": "tlcore.layers.compat:get_layers_with_name",
    "initialize_global_variables": "tlcore.layers.compat:initialize_global_variables",
    "set_name_reuse": "tlcore.layers.compat:set_name_reuse",
    "clear_layers_name": "tlcore.layers.compat:clear_layers_name",
    "quantize": "tlcore.quantize:sign",
    "quantize_active": "tlcore.quantize:quantize_active",
    "quantize_weight": "tlcore.quantize:quantize_weight",
    "quantize_active_overflow": "tlcore.quantize:quantize_active_overflow",
    "quantize_weight_overflow": "tlcore.quantize:quantize_weight_overflow",
    "ternary_operation": "tlcore.quantize:ternary",
    "compute_alpha": "tlcore.quantize:compute_alpha",
    "cabs": "tlcore.quantize:cabs",
}

#: dataset name (tl.files.load_<name>_dataset) -> "module:attr"
DATASETS: dict[str, str] = {
    "mnist": "tlcore.files._mnist:load_mnist_dataset",
    "fashion_mnist": "tlcore.files._mnist:load_fashion_mnist_dataset",
}

#: example name (tlcore run <name>) -> "module:attr" of a ``main(args) -> int``
EXAMPLES: dict[str, str] = {
    "mnist-mlp": "tlcore.examples.mnist_mlp:main",
    "mnist-dropconnect": "tlcore.examples.mnist_dropconnect:main",
    "mnist-dae": "tlcore.examples.mnist_dae:main",
    "mnist-sdae": "tlcore.examples.mnist_sdae:main",
}


manifest = Manifest(layers=LAYERS, layer_helpers=LAYER_HELPERS, datasets=DATASETS,
                    examples=EXAMPLES)
