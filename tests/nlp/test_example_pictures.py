"""The nlp examples' pictures: the t-SNE map and translate's attention weights. (ptb-lstm's and
generate-text's perplexity curves are drawn by their runs in test_examples.py.)"""
from __future__ import annotations

import argparse
import logging

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from tests.core.test_example_pictures import check_pictures  # noqa: E402
from tlcore.plugins import get_registry  # noqa: E402


def _args(tmp_path, shared_data, *extra, epochs=1):
    return argparse.Namespace(epochs=epochs, batch_size=None, seed=1, data_dir=str(shared_data),
                              out=str(tmp_path), quiet=True, extra=list(extra), result={})


def test_word2vec_draws_a_tsne_map_of_frequent_words(tmp_path, shared_data, caplog):
    pytest.importorskip("sklearn")
    main = get_registry().get("examples", "word2vec")
    with caplog.at_level(logging.INFO, logger="tlcore"):
        assert main(_args(tmp_path, shared_data, "--limit", "300", "--steps", "20",
                          "--print-freq", "10", "--eval-freq", "1000")) == 0
    check_pictures(caplog, tmp_path / "word2vec", ["tsne.png"])


def test_attention_weights_cover_the_source_words_of_the_greedy_translation():
    pytest.importorskip("tlcore_nlp.models.translate")
    import tensorflow as tf

    from tlcore_nlp.examples.translate import attention_weights
    from tlcore_nlp.models.translate import EmbeddingAttentionSeq2seqWrapper

    tf.random.set_seed(0)
    model = EmbeddingAttentionSeq2seqWrapper(20, 20, buckets=[(6, 8)], size=8, num_layers=1,
                                             batch_size=1, seed=0)
    source = [7, 8, 9, 10]  # 4 words in a bucket of 6: two PAD positions the weights skip
    weights, tokens = attention_weights(model, source)
    assert weights.shape == (len(tokens), 4)
    # softmax over the real words only: each row's mass is all on the 4 selected columns
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-5)
    assert tokens[:len(model.decode(source)[0])] == model.decode(source)[0]
    assert "_attend" not in vars(model)  # the recording hook is removed again
