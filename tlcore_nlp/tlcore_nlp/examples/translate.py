"""The seed's translation tutorial: bucketed attention seq2seq, Multi30k English -> French.

TensorLayer 1.5's ``tutorial_translate.py`` (WMT'10 giga-fren, 3 x 1024 GRU) scaled to a
2-core CPU: Multi30k task 1 by default (``--corpus wmt`` for the seed's data), the seed's
vocabulary helpers (``create_vocabulary``, ``data_to_token_ids``, ``_PAD _GO _EOS _UNK`` = 0-3),
buckets ``(5,10) (10,15) (20,25) (40,50)``, sampled softmax, SGD with clipping and decay on a
plateau. Prints the seed's per-checkpoint lines and per-bucket validation perplexity, then BLEU
of greedy translations of the test set; ``--decode`` translates sentences typed in.

Two BLEU numbers: ours (``tl.nlp.moses_multi_bleu`` on the seed's tokens) and, when the optional
``sacrebleu`` is installed (``pip install "tlcore-nlp[sacrebleu]"``), sacreBLEU's corpus BLEU of
the detokenized output against the raw reference lines (its 13a tokenizer), the number papers
report. Both score the seed's pipeline as it is: digits normalized to 0, ``_UNK`` for rare words.
"""
from __future__ import annotations

import argparse
import math
import os
import re
import sys
import time
from typing import Any

import numpy as np

from tlcore_nlp.examples._common import (add_pictures, list_pictures, out_dir, parse_options,
                                         say, seed_everything, set_result)

NAME = "translate"


def _options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", choices=("multi30k", "wmt"), default="multi30k",
                   help="multi30k (default; test2016 for BLEU) or the seed's WMT en-fr")
    p.add_argument("--vocab-size", type=int, default=10000, help="per language (default 10000)")
    p.add_argument("--size", type=int, default=256, help="units per layer (seed: 1024)")
    p.add_argument("--num-layers", type=int, default=2, help="layers (seed: 3)")
    p.add_argument("--steps", type=int, default=3000, help="training steps (default 3000)")
    p.add_argument("--steps-per-checkpoint", type=int, default=200)
    p.add_argument("--learning-rate", type=float, default=0.5)
    p.add_argument("--lr-decay", type=float, default=0.99)
    p.add_argument("--max-gradient-norm", type=float, default=5.0)
    p.add_argument("--num-samples", type=int, default=512, help="sampled softmax (0: full)")
    p.add_argument("--use-lstm", action="store_true", help="LSTM instead of GRU cells")
    p.add_argument("--attention", choices=("bahdanau", "luong"), default="bahdanau")
    p.add_argument("--test-limit", type=int, default=None, help="BLEU on the first N test pairs")
    p.add_argument("--bleu-sentences", type=int, default=100,
                   help="validation sentences translated at each checkpoint for the BLEU curve "
                        "(default 100; 0: no curve)")
    p.add_argument("--decode", action="store_true",
                   help="after training, translate sentences read from stdin")
    # Hidden: use only the first K buckets (fast tests).
    p.add_argument("--buckets", type=int, default=None, help=argparse.SUPPRESS)


def _corpus(tl: Any, corpus: str, data_dir: str | None, folder: str) -> dict[str, tuple[str, str]]:
    """Plain-text source/target files per split (written into the output folder)."""
    if corpus == "wmt":
        train, dev = tl.files.load_wmt_en_fr_dataset(path=data_dir)
        return {"train": (train + ".en", train + ".fr"), "val": (dev + ".en", dev + ".fr"),
                "test": (dev + ".en", dev + ".fr")}
    tr_en, tr_fr, va_en, va_fr, te_en, te_fr = tl.files.load_multi30k_dataset(path=data_dir)
    files = {}
    for split, (en, fr) in {"train": (tr_en, tr_fr), "val": (va_en, va_fr),
                            "test": (te_en, te_fr)}.items():
        pair = []
        for lang, lines in (("en", en), ("fr", fr)):
            path = os.path.join(folder, f"{split}.{lang}")
            if not os.path.exists(path):
                with open(path, "w", encoding="utf-8") as f:
                    f.write("\n".join(lines) + "\n")
            pair.append(path)
        files[split] = (pair[0], pair[1])
    return files


def detokenize(sentence: str) -> str:
    """Undo the one split of ``basic_tokenizer`` that sacreBLEU's 13a tokenizer does not redo.

    13a splits ``.,!?":;()`` off words itself but keeps apostrophes inside them (``l'homme``),
    so only the apostrophes are rejoined.
    """
    return re.sub(r" ?' ?", "'", sentence)


def sacre_bleu(hyps: list[str], ref_lines: list[str]) -> float | None:
    """sacreBLEU (13a, exp smoothing) of detokenized ``hyps`` against raw ``ref_lines``, or
    ``None`` when the optional ``sacrebleu`` package is not installed."""
    try:
        import sacrebleu
    except ImportError:
        return None
    # force: 13a splits a final " ." off again, so sacreBLEU's "forgot to detokenize?" warning
    # (it counts lines ending in " .") does not apply; the score is the same either way
    return float(sacrebleu.corpus_bleu([detokenize(h) for h in hyps], [ref_lines],
                                       force=True).score)


def sacre_bleu_line(score: float | None, corpus: str) -> str:
    """The log line of the sacreBLEU score, or of its absence (``score`` None)."""
    if score is None:
        return ('sacreBLEU: not computed, sacrebleu is not installed (pip install '
                '"tlcore-nlp[sacrebleu]"); only our BLEU above is reported')
    return (f"sacreBLEU on {corpus} test (detokenized output, raw references, 13a): "
            f"{score:.2f}")


def _read_ids(path: str) -> list[list[int]]:
    with open(path, encoding="ascii") as f:
        return [[int(t) for t in line.split()] for line in f]


def attention_weights(model: Any, source_ids: list[int]) -> tuple[np.ndarray, list[int]]:
    """Greedy translation of one sentence and its attention weights, one row per output token
    (EOS included), one column per source word in reading order."""
    import tensorflow as tf

    from tlcore_nlp.nlp import EOS_ID, PAD_ID

    enc, dec_len = model._source(source_ids, None)
    rows: list[np.ndarray] = []
    attend = model._attend

    def recording(query: Any, outputs: Any, keys: Any, mask: Any) -> Any:
        # _attend averages its ``outputs`` with the attention weights: averaging one identity
        # row per source position returns the weights themselves, without re-deriving scores
        eye = tf.eye(tf.shape(outputs)[1], batch_shape=[tf.shape(outputs)[0]])
        rows.append(attend(query, eye, keys, mask).numpy()[0])
        return attend(query, outputs, keys, mask)

    model._attend = recording  # the model does not return its weights; eager decode records them
    try:
        tokens = model._greedy_decode(tf.constant(enc), tf.constant(dec_len)).numpy()[0]
    finally:
        del model._attend
    n_out = next((i + 1 for i, t in enumerate(tokens.tolist()) if t in (EOS_ID, PAD_ID)),
                 len(tokens))
    n_src = len([t for t in source_ids if t != PAD_ID])
    # the encoder reads the source reversed and right-aligned: word i sits at enc_len - 1 - i
    columns = [enc.shape[1] - 1 - i for i in range(n_src)]
    return np.stack(rows[:n_out])[:, columns], tokens[:n_out].tolist()


def main(args: argparse.Namespace) -> int:
    """``tlcore run translate [--steps N] [--size S] [--decode]``."""
    opts = parse_options(args, NAME, __doc__.splitlines()[0], _options)
    import tlcore as tl
    from tlcore_nlp.models.translate import BUCKETS, EmbeddingAttentionSeq2seqWrapper
    from tlcore_nlp.nlp import EOS_ID

    seed_everything(args.seed)
    folder = out_dir(args, NAME)
    files = _corpus(tl, opts.corpus, getattr(args, "data_dir", None), folder)
    vocab_paths = {}
    for i, lang in enumerate(("en", "fr")):
        vocab_paths[lang] = os.path.join(folder, f"vocab{opts.vocab_size}.{lang}")
        tl.nlp.create_vocabulary(vocab_paths[lang], files["train"][i], opts.vocab_size)
    ids: dict[str, tuple[list[list[int]], list[list[int]]]] = {}
    for split, (src, tgt) in files.items():
        pair = []
        for path, lang in ((src, "en"), (tgt, "fr")):
            out = os.path.join(folder, f"{split}.ids{opts.vocab_size}.{lang}")
            tl.nlp.data_to_token_ids(path, out, vocab_paths[lang])
            pair.append(_read_ids(out))
        ids[split] = (pair[0], pair[1])
    en_vocab, rev_en = tl.nlp.initialize_vocabulary(vocab_paths["en"])
    _, rev_fr = tl.nlp.initialize_vocabulary(vocab_paths["fr"])

    model = EmbeddingAttentionSeq2seqWrapper(
        len(en_vocab), len(rev_fr), buckets=BUCKETS[:opts.buckets], size=opts.size,
        num_layers=opts.num_layers,
        max_gradient_norm=opts.max_gradient_norm, batch_size=args.batch_size or 64,
        learning_rate=opts.learning_rate, learning_rate_decay_factor=opts.lr_decay,
        use_lstm=opts.use_lstm, num_samples=opts.num_samples, attention=opts.attention,
        seed=args.seed)
    say(args, f"Model: {opts.num_layers} x {opts.size} {'LSTM' if opts.use_lstm else 'GRU'}, "
              f"vocab en {len(en_vocab)} fr {len(rev_fr)}, {model.count_params()} params")

    def bucketize(split: str) -> list[list[tuple[list[int], list[int]]]]:
        data: list[list[tuple[list[int], list[int]]]] = [[] for _ in model.buckets]
        limit = opts.limit if split == "train" else None
        for src, tgt in list(zip(*ids[split]))[:limit]:
            b = model.bucket_id_for(src, tgt + [EOS_ID])
            if b is not None:
                data[b].append((src, tgt + [EOS_ID]))
        return data

    def translate_ids(batch: list[list[int]]) -> list[list[int]]:
        max_src = model.buckets[-1][0]
        out: list[list[int]] = [[] for _ in batch]
        by_bucket: dict[int, list[int]] = {}
        for i, ids_i in enumerate(batch):
            b = next(k for k, (s, _) in enumerate(model.buckets) if len(ids_i[:max_src]) <= s)
            by_bucket.setdefault(b, []).append(i)
        for b, idx in by_bucket.items():
            for j in range(0, len(idx), 256):
                chunk = idx[j:j + 256]
                src = np.zeros((len(chunk), model.buckets[b][0]), np.int32)
                for r, i in enumerate(chunk):
                    s = batch[i][:max_src]
                    src[r, :len(s)] = s  # PAD after the words; decode() drops PAD and reverses
                for i, res in zip(chunk, model.decode(src, bucket_id=b)):
                    out[i] = res
        return out

    def words(id_list: list[int]) -> str:
        return " ".join(rev_fr[t].decode("utf-8", "replace") for t in id_list)

    src_val, tgt_val = ids["val"]
    n_bleu = min(opts.bleu_sentences, len(src_val))
    bleu_steps: list[int] = []
    bleu_curve: list[float] = []

    train_set, dev_set = bucketize("train"), bucketize("val")
    sizes = [len(b) for b in train_set]
    say(args, f"Train pairs per bucket {sizes}; validation {[len(b) for b in dev_set]}")
    scale = np.cumsum(sizes) / sum(sizes)
    rng = np.random.default_rng(args.seed)
    step_time = loss = 0.0
    previous_losses: list[float] = []
    train_start = time.time()
    ckpt = opts.steps_per_checkpoint
    for step in range(1, opts.steps + 1):
        bucket_id = int(np.searchsorted(scale, rng.random(), side="right"))
        start = time.time()
        enc, dec, w = model.get_batch(train_set, bucket_id)
        _, step_loss, _ = model.step(enc, dec, w, bucket_id, False)
        step_time += (time.time() - start) / ckpt
        loss += step_loss / ckpt
        if step % ckpt == 0 or step == opts.steps:
            perplexity = math.exp(loss) if loss < 300 else float("inf")
            say(args, "global step %d learning rate %.4f step-time %.2f perplexity %.2f" % (
                step, float(model.learning_rate.numpy()), step_time, perplexity))
            if len(previous_losses) > 2 and loss > max(previous_losses[-3:]):
                model.learning_rate_decay_op()
            previous_losses.append(loss)
            for b, pairs in enumerate(dev_set):
                if not pairs:
                    say(args, "  eval: empty bucket %d" % b)
                    continue
                enc, dec, w = model.get_batch(dev_set, b, pairs[:model.batch_size])
                _, eval_loss, _ = model.step(enc, dec, w, b, True)
                say(args, "  eval: bucket %d perplexity %.2f" % (
                    b, math.exp(eval_loss) if eval_loss < 300 else float("inf")))
            if n_bleu:  # against the _UNK-ed references, as bleu_vocab below
                bleu_steps.append(step)
                bleu_curve.append(tl.nlp.moses_multi_bleu(
                    [words(h) for h in translate_ids([s or [3] for s in src_val[:n_bleu]])],
                    [words(t) for t in tgt_val[:n_bleu]]))
                say(args, "  validation BLEU (%d sentences) %.2f" % (n_bleu, bleu_curve[-1]))
            step_time = loss = 0.0
    train_time = time.time() - train_start

    src_test, tgt_test = ids["test"]
    n_test = opts.test_limit or len(src_test)
    start = time.time()
    hyps = [words(h) for h in translate_ids([s or [3] for s in src_test[:n_test]])]
    refs = [words(t) for t in tgt_test[:n_test]]
    with open(files["test"][1], encoding="utf-8") as f:
        ref_lines = [line.strip() for line in f][:n_test]
    raw_refs = [" ".join(w.decode("utf-8") for w in tl.nlp.basic_tokenizer(line))
                for line in ref_lines]
    bleu = tl.nlp.moses_multi_bleu(hyps, raw_refs)
    sacre = sacre_bleu(hyps, ref_lines)
    bleu_vocab = tl.nlp.moses_multi_bleu(hyps, refs)
    for i in range(min(3, n_test)):
        say(args, f"  source: {open(files['test'][0], encoding='utf-8').read().splitlines()[i]}")
        say(args, f"  output: {hyps[i]}")
    say(args, "BLEU on %s test (%d sentences): %.2f (%.2f against references with _UNK); "
              "decoding took %.1fs; training took %.1fs" % (
                  opts.corpus, n_test, bleu, bleu_vocab, time.time() - start, train_time))
    say(args, sacre_bleu_line(sacre, opts.corpus))
    path = tl.files.save_npz(model.all_params, name=os.path.join(folder, "model.npz"))
    set_result(args, bleu=bleu, sacrebleu=sacre, train_time=train_time, model=path)
    _pictures(args, model, folder, src_test[:n_test], rev_en, rev_fr, bleu_steps, bleu_curve,
              n_bleu)
    list_pictures(args)
    if opts.decode:
        say(args, "Type an English sentence (empty line to stop):")
        for line in sys.stdin:
            if not line.strip():
                break
            src = tl.nlp.sentence_to_token_ids(line, en_vocab)
            print(words(translate_ids([src or [3]])[0]), flush=True)
    return 0


def _pictures(args: argparse.Namespace, model: Any, folder: str, sources: list[list[int]],
              rev_en: list[bytes], rev_fr: list[bytes], bleu_steps: list[int],
              bleu_curve: list[float], n_bleu: int) -> None:
    """``attention.png`` for the first short test sentence, ``bleu.png`` per checkpoint."""
    import tlcore as tl

    def text(rev: list[bytes], t: int) -> str:
        return rev[t].decode("utf-8", "replace")

    fits = [s for s in sources if 3 <= len(s) <= min(12, model.buckets[-1][0])]
    if fits:
        weights, out = attention_weights(model, fits[0])
        add_pictures(args, tl.vis.heatmap(
            weights, [text(rev_en, t) for t in fits[0]], [text(rev_fr, t) for t in out],
            title="attention of one test sentence", xlabel="source (English)",
            ylabel="output (French)", name=os.path.join(folder, "attention")))
    if bleu_curve:
        add_pictures(args, tl.vis.curves(
            {f"validation ({n_bleu} sentences)": bleu_curve}, x=bleu_steps,
            title="BLEU at each checkpoint", xlabel="step", ylabel="BLEU",
            name=os.path.join(folder, "bleu")))
