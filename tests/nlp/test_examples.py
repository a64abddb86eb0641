"""Smoke tests of the nlp examples on real data, cut to a few thousand words and tiny models
(the full runs are measured by hand; see the README)."""
from __future__ import annotations

import argparse
import importlib.util
import sys

import numpy as np
import pytest

from tlcore.plugins import get_registry


def _args(tmp_path, shared_data, *extra, epochs=1, batch_size=None):
    return argparse.Namespace(epochs=epochs, batch_size=batch_size, seed=1,
                              data_dir=str(shared_data), out=str(tmp_path), quiet=True,
                              extra=list(extra), result={})


def test_examples_are_registered():
    reg = get_registry()
    for name in ("word2vec", "ptb-lstm", "generate-text", "translate"):
        assert callable(reg.get("examples", name))


@pytest.fixture
def rnn_layers():
    """ptb-lstm and generate-text need the recurrent layers (tlcore_nlp.layers.rnn)."""
    pytest.importorskip("tlcore_nlp.layers.rnn")


def test_ptb_lstm_tiny_run_learns(tmp_path, shared_data, rnn_layers):
    main = get_registry().get("examples", "ptb-lstm")
    args = _args(tmp_path, shared_data, "--limit", "4000", "--hidden-size", "16",
                 "--num-steps", "10", "--test-steps", "100", epochs=2)
    assert main(args) == 0
    r = args.result
    # uniform guessing over 10000 words is perplexity 10000; two tiny epochs already beat it
    assert np.isfinite(r["test_perplexity"]) and r["valid_perplexity"] < 5000
    assert r["test_perplexity"] < 5000
    assert (tmp_path / "ptb-lstm" / "model.npz").exists()


def test_word2vec_tiny_run(tmp_path, shared_data):
    main = get_registry().get("examples", "word2vec")
    args = _args(tmp_path, shared_data, "--corpus", "text8", "--steps", "300",
                 "--print-freq", "100", "--eval-freq", "1000")
    assert main(args) == 0
    assert np.isfinite(args.result["loss"])
    vocab = (tmp_path / "word2vec" / "vocab.txt").read_text().splitlines()
    assert vocab[0].startswith("UNK ") and vocab[1] == "the 162"


def test_generate_text_samples_each_k(tmp_path, shared_data, rnn_layers):
    main = get_registry().get("examples", "generate-text")
    args = _args(tmp_path, shared_data, "--limit", "3000", "--hidden-size", "16",
                 "--length", "5")
    assert main(args) == 0
    samples = args.result["samples"]
    assert sorted(samples) == [1, 3, 5, 10]
    for text in samples.values():
        assert text.startswith("it is a ") and len(text.split()) == 8


def test_bad_option_is_a_usage_error(tmp_path, shared_data):
    main = get_registry().get("examples", "ptb-lstm")
    with pytest.raises(SystemExit):
        main(_args(tmp_path, shared_data, "--config", "huge"))


def test_translate_tiny_run(tmp_path, shared_data):
    pytest.importorskip("tlcore_nlp.models.translate")
    main = get_registry().get("examples", "translate")
    args = _args(tmp_path, shared_data, "--steps", "4", "--steps-per-checkpoint", "2",
                 "--size", "16", "--num-layers", "1", "--vocab-size", "300", "--buckets", "2",
                 "--test-limit", "8", "--num-samples", "64", batch_size=8)
    assert main(args) == 0
    assert 0.0 <= args.result["bleu"] <= 100.0
    if importlib.util.find_spec("sacrebleu") is not None:  # the Makefile installs it
        assert 0.0 <= args.result["sacrebleu"] <= 100.0
    else:
        assert args.result["sacrebleu"] is None
    # the seed's vocabulary files: _PAD _GO _EOS _UNK first, then the most frequent tokens
    vocab = (tmp_path / "translate" / "vocab300.fr").read_bytes().splitlines()
    assert vocab[:4] == [b"_PAD", b"_GO", b"_EOS", b"_UNK"] and len(vocab) == 300
    assert b"." in vocab[4:8]


def test_detokenize_rejoins_only_apostrophes():
    from tlcore_nlp.examples.translate import detokenize

    assert detokenize("l ' homme , c ' est ( lui ) .") == "l'homme , c'est ( lui ) ."


def test_sacre_bleu_scores_tokenized_output_against_raw_references():
    pytest.importorskip("sacrebleu")
    from tlcore_nlp.examples.translate import sacre_bleu

    refs = ["Un homme d'affaires parle au téléphone.", "Deux chiens jouent (dans la neige)."]
    hyps = ["Un homme d ' affaires parle au téléphone .", "Deux chiens jouent ( dans la neige ) ."]
    assert sacre_bleu(hyps, refs) == pytest.approx(100.0)
    assert sacre_bleu(["Un chat dort .", "Deux chiens ."], refs) < 20.0


def test_sacre_bleu_is_none_without_sacrebleu(monkeypatch):
    from tlcore_nlp.examples.translate import sacre_bleu

    monkeypatch.setitem(sys.modules, "sacrebleu", None)  # makes `import sacrebleu` fail
    assert sacre_bleu(["a b c d"], ["a b c d"]) is None


def test_sacre_bleu_line_says_when_sacrebleu_is_missing():
    from tlcore_nlp.examples.translate import sacre_bleu_line

    assert sacre_bleu_line(None, "multi30k") == (
        'sacreBLEU: not computed, sacrebleu is not installed (pip install '
        '"tlcore-nlp[sacrebleu]"); only our BLEU above is reported')
    assert sacre_bleu_line(31.416, "multi30k").endswith("multi30k test (detokenized output, "
                                                        "raw references, 13a): 31.42")
