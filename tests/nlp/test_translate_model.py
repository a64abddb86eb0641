"""Tests for tlcore_nlp/models/translate.py on a toy task (tiny model, few steps)."""
from __future__ import annotations

import keras
import numpy as np
import pytest

from tlcore_nlp.models.translate import BUCKETS, EmbeddingAttentionSeq2seqWrapper
from tlcore_nlp.nlp import EOS_ID, GO_ID, PAD_ID


def test_get_batch_reverses_source_and_pads_like_the_seed():
    """The tokenized "I go ." (3 ids) falls in bucket (5, 10)."""
    model = EmbeddingAttentionSeq2seqWrapper(20, 20, size=4, num_layers=1, batch_size=1)
    src, tgt = [7, 8, 9], [10, 11, 12, EOS_ID]
    assert model.buckets == BUCKETS
    assert model.bucket_id_for(src, tgt) == 0
    enc, dec, w = model.get_batch(None, 0, pairs=[(src, tgt)])
    assert enc.tolist() == [[PAD_ID, PAD_ID, 9, 8, 7]]
    assert dec.tolist() == [[GO_ID, 10, 11, 12, EOS_ID, 0, 0, 0, 0, 0]]
    assert w.tolist() == [[1, 1, 1, 1, 0, 0, 0, 0, 0, 0]]
    with pytest.raises(ValueError, match=r"does not fit bucket 0"):
        model.get_batch(None, 0, pairs=[(list(range(6)), tgt)])


@pytest.mark.parametrize("use_lstm,attention,num_samples,layers,ratio",
                         [(False, "bahdanau", 8, 1, 0.5), (True, "luong", 0, 2, 0.8)],
                         ids=["gru-bahdanau-sampled-1", "lstm-luong-full-2"])
def test_training_learns_a_copy_task_and_decoders_agree(use_lstm, attention, num_samples, layers,
                                                        ratio):
    """A copy task; 150 SGD steps (2 layers learn slower: a looser bound)."""
    # the initial weights follow keras.utils.set_random_seed (unseeded initializers are cloned
    # per variable by OwnsParams.add_param, as Layer.add_param does), not tf.random.set_seed alone
    keras.utils.set_random_seed(0)
    vocab = 12
    model = EmbeddingAttentionSeq2seqWrapper(
        vocab, vocab, buckets=[(3, 5)], size=16, num_layers=layers, max_gradient_norm=5.0,
        batch_size=16, learning_rate=1.0, learning_rate_decay_factor=0.5, use_lstm=use_lstm,
        num_samples=num_samples, attention=attention, seed=0)
    rng = np.random.default_rng(0)
    pairs = [(list(s), [*s, EOS_ID]) for s in rng.integers(4, vocab, (64, 3))]
    enc, dec, w = model.get_batch([pairs], 0)
    _, first, _ = model.step(enc, dec, w, 0, forward_only=True)
    for _ in range(150):
        norm, loss, _ = model.step(*model.get_batch([pairs], 0), 0, forward_only=False)
        assert np.isfinite(norm) and np.isfinite(loss)
    _, last, logits = model.step(enc, dec, w, 0, forward_only=True)
    assert logits.shape == (16, 5, vocab)
    assert last < ratio * first
    assert int(model.global_step.numpy()) == 150
    assert model.learning_rate_decay_op() == pytest.approx(0.5)
    # greedy = beam search with beam 1; a wider beam never finds a worse sequence
    src = pairs[0][0]
    greedy = model.decode(src)[0]
    beam1, _ = model.beam_search(src, beam_size=1)
    assert beam1 == greedy
    beam3, score3 = model.beam_search(src, beam_size=3)
    assert score3 >= model.sequence_log_prob(src, greedy) - 1e-4
    if len(beam3) < 5:  # ended with EOS inside the bucket: its score is its log-probability
        assert score3 == pytest.approx(model.sequence_log_prob(src, beam3), abs=1e-3)


def test_bad_attention_is_named():
    with pytest.raises(ValueError,
                       match=r"attention must be 'bahdanau' or 'luong', received 'dot'"):
        EmbeddingAttentionSeq2seqWrapper(10, 10, size=4, num_layers=1, attention="dot")


def test_registered_as_in_tensorlayer_1_5():
    import tlcore as tl

    assert tl.layers.EmbeddingAttentionSeq2seqWrapper is EmbeddingAttentionSeq2seqWrapper


def test_owns_its_parameters_through_the_core_and_round_trips_through_tl_files(tmp_path):
    import tlcore as tl
    from tlcore.owner import ParamOwner

    model = EmbeddingAttentionSeq2seqWrapper(10, 9, buckets=[(3, 5)], size=4, num_layers=1,
                                             name="m")
    assert isinstance(model, ParamOwner)
    names = [model.param_name(v) for v in model.all_params]
    assert names[:2] == ["m/encoder/embedding", "m/decoder/embedding"] and len(set(names)) == 19
    assert model.count_params() == sum(int(np.prod(v.shape)) for v in model.all_params)
    assert model.trainable_params == model.all_params
    other = EmbeddingAttentionSeq2seqWrapper(10, 9, buckets=[(3, 5)], size=4, num_layers=1,
                                             name="m")
    tl.files.load_and_assign_npz_dict(tl.files.save_npz_dict(model, str(tmp_path / "m")), other)
    for a, b in zip(model.all_params, other.all_params):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    fresh = EmbeddingAttentionSeq2seqWrapper(10, 9, buckets=[(3, 5)], size=4, num_layers=1)
    assert not np.array_equal(fresh.all_params[0].numpy(), model.all_params[0].numpy())
