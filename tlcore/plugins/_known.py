"""Names provided by the official plugins, for "install tlcore-xxx" hints when one is missing.

Only names live here, no code: the core never imports a plugin by name. The tables must equal
the official manifests' tables (``tests/plugins/test_known_names.py`` compares them and prints
the lines to add when a plugin registers a new name).
"""
from __future__ import annotations

_VISION_LAYERS = """
Conv1dLayer Conv2dLayer Conv3dLayer DeConv2dLayer DeConv3dLayer AtrousConv2dLayer
AtrousDeConv2dLayer PoolLayer Conv1d Conv2d DeConv2d DeConv3d AtrousConv1dLayer DepthwiseConv2d
SeparableConv1d SeparableConv2d GroupConv2d SubpixelConv1d SubpixelConv2d DeformableConv2d
MaxPool1d MaxPool2d MaxPool3d MeanPool1d MeanPool2d MeanPool3d GlobalMaxPool1d GlobalMaxPool2d
GlobalMaxPool3d GlobalMeanPool1d GlobalMeanPool2d GlobalMeanPool3d PadLayer ZeroPad1d ZeroPad2d
ZeroPad3d UpSampling2dLayer DownSampling2dLayer LocalResponseNormLayer InstanceNormLayer
GroupNormLayer SwitchNormLayer SpatialTransformer2dAffineLayer transformer batch_transformer
BinaryConv2d TernaryConv2d DorefaConv2d QuanConv2d QuanConv2dWithBN
""".split()

_NLP_LAYERS = """
EmbeddingInputlayer AverageEmbeddingInputlayer Word2vecEmbeddingInputlayer RNNLayer BiRNNLayer
DynamicRNNLayer BiDynamicRNNLayer ConvLSTMLayer Seq2Seq Seq2SeqEncoder BasicLSTMCell GRUCell
BasicRNNCell LSTMStateTuple BasicConvLSTMCell EmbeddingAttentionSeq2seqWrapper
retrieve_seq_length_op retrieve_seq_length_op2 retrieve_seq_length_op3 target_mask_op
advanced_indexing_op initialize_rnn_state
""".split()

#: kind -> name -> distribution that provides it.
KNOWN: dict[str, dict[str, str]] = {
    "layers": {
        **{n: "tlcore-vision" for n in _VISION_LAYERS},
        **{n: "tlcore-nlp" for n in _NLP_LAYERS},
    },
    "modules": {"prepro": "tlcore-vision", "models": "tlcore-vision", "nlp": "tlcore-nlp",
                "rein": "tlcore-rl"},
    "datasets": {
        "cifar10": "tlcore-vision", "cropped_svhn": "tlcore-vision", "ptb": "tlcore-nlp",
        "matt_mahoney_text8": "tlcore-nlp", "imdb": "tlcore-nlp", "nietzsche": "tlcore-nlp",
        "wmt_en_fr": "tlcore-nlp", "multi30k": "tlcore-nlp",
    },
    "examples": {
        "mnist-cnn": "tlcore-vision", "cifar10-cnn": "tlcore-vision", "word2vec": "tlcore-nlp",
        "ptb-lstm": "tlcore-nlp", "generate-text": "tlcore-nlp", "translate": "tlcore-nlp",
        "cartpole": "tlcore-rl", "cartpole-dqn": "tlcore-rl", "pong": "tlcore-rl",
    },
}

#: distribution -> its folder in a source checkout of tlcore, for install hints.
CHECKOUT_FOLDER: dict[str, str] = {
    "tlcore-vision": "tlcore_vision", "tlcore-nlp": "tlcore_nlp",
    "tlcore-rl": "tlcore_rl", "tlcore-maxout": "plugins/tlcore-maxout",
}
