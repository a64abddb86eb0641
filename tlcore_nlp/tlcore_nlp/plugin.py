"""The ``nlp`` plugin's manifest: what it registers with tlcore. Cheap to import (no TensorFlow)."""
from __future__ import annotations

from tlcore.plugins import Manifest

#: registered name -> "module:attr" target
LAYERS: dict[str, str] = {
    "EmbeddingInputlayer": "tlcore_nlp.layers.embedding:EmbeddingInputlayer",
    "AverageEmbeddingInputlayer": "tlcore_nlp.layers.embedding:AverageEmbeddingInputlayer",
    "Word2vecEmbeddingInputlayer": "tlcore_nlp.layers.embedding:Word2vecEmbeddingInputlayer",
    "RNNLayer": "tlcore_nlp.layers.rnn:RNNLayer",
    "BiRNNLayer": "tlcore_nlp.layers.rnn:BiRNNLayer",
    "DynamicRNNLayer": "tlcore_nlp.layers.dynamic_rnn:DynamicRNNLayer",
    "BiDynamicRNNLayer": "tlcore_nlp.layers.dynamic_rnn:BiDynamicRNNLayer",
    "ConvLSTMLayer": "tlcore_nlp.layers.conv_lstm:ConvLSTMLayer",
    "Seq2Seq": "tlcore_nlp.layers.seq2seq:Seq2Seq",
    "Seq2SeqEncoder": "tlcore_nlp.layers.seq2seq:Seq2SeqEncoder",
}


#: namespace (tl.<name>) -> "module:" (an empty attribute is the module itself)
MODULES: dict[str, str] = {
    "nlp": "tlcore_nlp.nlp:",
}


#: dataset name (tl.files.load_<name>_dataset) -> "module:attr"
DATASETS: dict[str, str] = {
    "ptb": "tlcore_nlp.datasets:load_ptb_dataset",
    "matt_mahoney_text8": "tlcore_nlp.datasets:load_matt_mahoney_text8_dataset",
    "imdb": "tlcore_nlp.datasets:load_imdb_dataset",
    "nietzsche": "tlcore_nlp.datasets:load_nietzsche_dataset",
    "wmt_en_fr": "tlcore_nlp.datasets:load_wmt_en_fr_dataset",
    "multi30k": "tlcore_nlp.datasets:load_multi30k_dataset",
}


#: example name (tlcore run <name>) -> "module:attr" of a ``main(args) -> int``
EXAMPLES: dict[str, str] = {
    "word2vec": "tlcore_nlp.examples.word2vec:main",
    "ptb-lstm": "tlcore_nlp.examples.ptb_lstm:main",
    "generate-text": "tlcore_nlp.examples.generate_text:main",
    "translate": "tlcore_nlp.examples.translate:main",
}

#: layer helpers (functions, cells: tl.layers.<name> but not Layer subclasses)
LAYER_HELPERS: dict[str, str] = {
    "BasicLSTMCell": "tlcore_nlp.layers.cells:BasicLSTMCell",
    "GRUCell": "tlcore_nlp.layers.cells:GRUCell",
    "BasicRNNCell": "tlcore_nlp.layers.cells:BasicRNNCell",
    "LSTMStateTuple": "tlcore_nlp.layers.cells:LSTMStateTuple",
    "BasicConvLSTMCell": "tlcore_nlp.layers.conv_lstm:BasicConvLSTMCell",
    "EmbeddingAttentionSeq2seqWrapper":
        "tlcore_nlp.models.translate:EmbeddingAttentionSeq2seqWrapper",
    "retrieve_seq_length_op": "tlcore_nlp.layers.seq_ops:retrieve_seq_length_op",
    "retrieve_seq_length_op2": "tlcore_nlp.layers.seq_ops:retrieve_seq_length_op2",
    "retrieve_seq_length_op3": "tlcore_nlp.layers.seq_ops:retrieve_seq_length_op3",
    "target_mask_op": "tlcore_nlp.layers.seq_ops:target_mask_op",
    "advanced_indexing_op": "tlcore_nlp.layers.seq_ops:advanced_indexing_op",
    "initialize_rnn_state": "tlcore_nlp.layers.seq_ops:initialize_rnn_state",
}

manifest = Manifest(layers=LAYERS, layer_helpers=LAYER_HELPERS, modules=MODULES,
                    datasets=DATASETS, examples=EXAMPLES)
