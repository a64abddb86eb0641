"""The seed's translation model re-done for TF2: embedding attention seq2seq with buckets.

TensorLayer 1.5's ``EmbeddingAttentionSeq2seqWrapper`` (after TF1's ``translate`` tutorial):
a multi-layer GRU (or LSTM) encoder reads the reversed, front-padded source; a decoder of the
same shape starts from the encoder's final state and attends over the encoder's outputs
(Bahdanau's additive or Luong's multiplicative attention); each output goes through a
projection to the target vocabulary, trained with sampled softmax when the vocabulary is
larger than ``num_samples``. Sentence pairs are put in buckets ``(source_len, target_len)``
and padded to them; one compiled training step exists per bucket. SGD with gradient clipping
by global norm and a learning-rate decay op, greedy and beam-search decoding.

Token ids are ``tl.nlp``'s (``PAD_ID=0``, ``GO_ID=1``, ``EOS_ID=2``, ``UNK_ID=3``, the seed's
``_START_VOCAB``). The model is not a layer: it owns its variables through
:class:`tlcore.owner.OwnsParams`, so ``tl.files`` saves and restores it like a network.
"""
from __future__ import annotations

from typing import Any, Sequence

import keras
import numpy as np
import tensorflow as tf

from tlcore.owner import OwnsParams
from tlcore_nlp.layers.cells import BasicLSTMCell, GRUCell, RNNCell, unroll
from tlcore_nlp.layers.rnn import run_stack
from tlcore_nlp.nlp import EOS_ID, GO_ID, PAD_ID

__all__ = ["BUCKETS", "EmbeddingAttentionSeq2seqWrapper"]
#: the seed's buckets: (max source length, max target length incl. GO)
BUCKETS: list[tuple[int, int]] = [(5, 10), (10, 15), (20, 25), (40, 50)]


class EmbeddingAttentionSeq2seqWrapper(OwnsParams):
    """Bucketed attention seq2seq for translation (the seed's ``tutorial_translate.py`` model).

    Args:
        source_vocab_size, target_vocab_size: vocabulary sizes (ids 0-3 are PAD GO EOS UNK).
        buckets: ``[(source_len, target_len), ...]`` in increasing order.
        size: units per layer (also the embedding size).
        num_layers: stacked cells in the encoder and in the decoder.
        max_gradient_norm: clip gradients to this global norm.
        batch_size: pairs per ``get_batch``.
        learning_rate: of plain SGD, a variable (``learning_rate_decay_op`` multiplies it).
        learning_rate_decay_factor: the factor.
        use_lstm: BasicLSTMCell instead of GRUCell.
        num_samples: sampled-softmax samples; full softmax when 0 or ``>= target_vocab_size``.
        forward_only: kept for ported code; :meth:`step` takes ``forward_only`` per call.
        attention: ``"bahdanau"`` (additive) or ``"luong"`` (multiplicative, "general").
        seed: of ``get_batch``'s sampling (the initial weights follow
            ``keras.utils.set_random_seed``, as a layer's do).
        name: prefix of the variable names.
    """

    def __init__(self, source_vocab_size: int, target_vocab_size: int,
                 buckets: Sequence[tuple[int, int]] = BUCKETS, size: int = 1024,
                 num_layers: int = 3, max_gradient_norm: float = 5.0, batch_size: int = 64,
                 learning_rate: float = 0.5, learning_rate_decay_factor: float = 0.99,
                 use_lstm: bool = False, num_samples: int = 512, forward_only: bool = False,
                 attention: str = "bahdanau", seed: int | None = None,
                 name: str = "wrapper") -> None:
        if attention not in ("bahdanau", "luong"):
            raise ValueError(f"EmbeddingAttentionSeq2seqWrapper: attention must be 'bahdanau' or "
                             f"'luong', received {attention!r}")
        if not buckets or any(len(b) != 2 or min(b) < 1 for b in buckets):
            raise ValueError(f"EmbeddingAttentionSeq2seqWrapper: buckets must be (source_len, "
                             f"target_len) pairs, received {buckets!r}")
        self.source_vocab_size, self.target_vocab_size = source_vocab_size, target_vocab_size
        self.buckets = [tuple(b) for b in buckets]
        self.size, self.num_layers, self.batch_size = size, num_layers, batch_size
        self.max_gradient_norm, self.attention = float(max_gradient_norm), attention
        self.num_samples = num_samples if 0 < num_samples < target_vocab_size else 0
        self.forward_only = forward_only
        self.learning_rate = tf.Variable(float(learning_rate), trainable=False,
                                         name=f"{name}/learning_rate")
        self.learning_rate_decay_factor = float(learning_rate_decay_factor)
        self.global_step = tf.Variable(0, trainable=False, dtype=tf.int64,
                                       name=f"{name}/global_step")
        self.rng = np.random.default_rng(seed)
        self.init_params(name)
        glorot, uni = keras.initializers.GlorotUniform(), keras.initializers.RandomUniform(-.1, .1)
        self.enc_embedding = self.add_param("encoder/embedding", (source_vocab_size, size), glorot)
        self.dec_embedding = self.add_param("decoder/embedding", (target_vocab_size, size), glorot)
        cell: type[RNNCell] = BasicLSTMCell if use_lstm else GRUCell
        self.encoder = [cell(self, size, size, initializer=uni, prefix=f"encoder/cell_{i}/")
                        for i in range(num_layers)]
        self.decoder = [cell(self, size, size, initializer=uni, prefix=f"decoder/cell_{i}/")
                        for i in range(num_layers)]
        zeros = keras.initializers.Zeros()
        self.in_W = self.add_param("decoder/input_W", (2 * size, size), glorot)
        self.in_b = self.add_param("decoder/input_b", (size,), zeros)
        self.attn_W = self.add_param("attention/W", (size, size), glorot)
        if attention == "bahdanau":
            self.attn_Wq = self.add_param("attention/W_query", (size, size), glorot)
            self.attn_v = self.add_param("attention/v", (size,), uni)
        self.out_W = self.add_param("attention/output_W", (2 * size, size), glorot)
        self.out_b = self.add_param("attention/output_b", (size,), zeros)
        # stored (vocab, size): the layout tf.nn.sampled_softmax_loss takes
        self.proj_w = self.add_param("proj_w", (target_vocab_size, size), glorot)
        self.proj_b = self.add_param("proj_b", (target_vocab_size,), zeros)
        self._train_steps: dict[int, Any] = {}
        self._eval_steps: dict[int, Any] = {}
        self._greedy = tf.function(self._greedy_decode, reduce_retracing=True)
        self._beam = tf.function(self._beam_decode, reduce_retracing=True)

    # ------------------------------------------------------------------------ bookkeeping
    def learning_rate_decay_op(self) -> float:
        """Multiply the learning rate by the decay factor; return the new rate."""
        self.learning_rate.assign(self.learning_rate * self.learning_rate_decay_factor)
        return float(self.learning_rate.numpy())

    def bucket_id_for(self, source_ids: Sequence[int], target_ids: Sequence[int]) -> int | None:
        """The smallest bucket that fits (the target gets GO in front); None if none does."""
        for i, (s, t) in enumerate(self.buckets):
            if len(source_ids) <= s and len(target_ids) < t:
                return i
        return None

    def get_batch(self, data: Sequence[Sequence[tuple[Sequence[int], Sequence[int]]]],
                  bucket_id: int, pairs: Sequence[tuple[Sequence[int], Sequence[int]]] | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A padded batch from ``data[bucket_id]`` (random pairs) or from ``pairs``.

        Returns batch-major int32 ``encoder_inputs [B, source_len]`` (reversed source, PAD in
        front), ``decoder_inputs [B, target_len]`` (GO, target, PAD) and float32
        ``target_weights [B, target_len]`` (0 where the target, the next decoder input, is PAD
        or past the end).
        """
        enc_len, dec_len = self.buckets[bucket_id]
        if pairs is None:
            pool = data[bucket_id]
            pairs = [pool[i] for i in self.rng.integers(0, len(pool), self.batch_size)]
        enc = np.full((len(pairs), enc_len), PAD_ID, np.int32)
        dec = np.full((len(pairs), dec_len), PAD_ID, np.int32)
        for b, (src, tgt) in enumerate(pairs):
            if len(src) > enc_len or len(tgt) + 1 > dec_len:
                raise ValueError(f"get_batch: pair of lengths ({len(src)}, {len(tgt)}) does not "
                                 f"fit bucket {bucket_id} {self.buckets[bucket_id]}")
            enc[b, enc_len - len(src):] = list(reversed(src))
            dec[b, : len(tgt) + 1] = [GO_ID, *tgt]
        weights = np.zeros(dec.shape, np.float32)
        weights[:, :-1] = dec[:, 1:] != PAD_ID
        return enc, dec, weights

    # --------------------------------------------------------------------------- the model
    def _encode(self, enc_ids: tf.Tensor) -> tuple[tf.Tensor, list[Any], tf.Tensor, tf.Tensor]:
        x = tf.nn.embedding_lookup(self.enc_embedding, enc_ids)
        batch = tf.shape(enc_ids)[0]
        states = [c.zero_state(batch) for c in self.encoder]
        outputs, finals = run_stack(self.encoder, x, states)
        keys = tf.einsum("bth,hk->btk", outputs, self.attn_W)
        mask = tf.not_equal(enc_ids, PAD_ID)
        return outputs, finals, keys, mask

    def _attend(self, query: tf.Tensor, outputs: tf.Tensor, keys: tf.Tensor,
                mask: tf.Tensor) -> tf.Tensor:
        if self.attention == "bahdanau":
            q = tf.matmul(query, self.attn_Wq)[:, None, :]
            score = tf.reduce_sum(self.attn_v * tf.tanh(keys + q), axis=-1)
        else:
            score = tf.reduce_sum(keys * query[:, None, :], axis=-1)
        score = tf.where(mask, score, tf.fill(tf.shape(score), -1e9))
        a = tf.nn.softmax(score, axis=-1)
        return tf.reduce_sum(a[:, :, None] * outputs, axis=1)

    def _decoder_step(self, steppers: list[Any], emb: tf.Tensor, states: list[Any],
                      context: tf.Tensor, enc: tuple[tf.Tensor, ...]) -> tuple[Any, ...]:
        x = tf.matmul(tf.concat([emb, context], -1), self.in_W) + self.in_b
        new_states = []
        for cell, step, s in zip(self.decoder, steppers, states):
            x, s = step(cell.input_proj(x), s)
            new_states.append(s)
        context = self._attend(x, *enc)
        out = tf.matmul(tf.concat([x, context], -1), self.out_W) + self.out_b
        return out, new_states, context

    def _logits(self, out: tf.Tensor) -> tf.Tensor:
        return tf.matmul(out, self.proj_w, transpose_b=True) + self.proj_b

    def _decode_teacher(self, enc_ids: tf.Tensor, dec_ids: tf.Tensor) -> tf.Tensor:
        outputs, finals, keys, mask = self._encode(enc_ids)
        enc = (outputs, keys, mask)
        steppers = [c.stepper() for c in self.decoder]
        emb = tf.nn.embedding_lookup(self.dec_embedding, dec_ids)
        batch = tf.shape(enc_ids)[0]

        def step(e: tf.Tensor, state: Any) -> tuple[tf.Tensor, Any]:
            states, context = state
            out, states, context = self._decoder_step(steppers, e, list(states), context, enc)
            return out, (tuple(states), context)

        outs, _ = unroll(step, emb, (tuple(finals), tf.zeros([batch, self.size])))
        return outs  # [B, T, size]

    def _loss(self, outs: tf.Tensor, dec_ids: tf.Tensor, weights: tf.Tensor,
              sampled: bool) -> tf.Tensor:
        targets = tf.concat([dec_ids[:, 1:], tf.fill([tf.shape(dec_ids)[0], 1], PAD_ID)], 1)
        flat = tf.reshape(outs, [-1, self.size])
        labels = tf.reshape(tf.cast(targets, tf.int64), [-1, 1])
        if sampled and self.num_samples:
            ce = tf.nn.sampled_softmax_loss(self.proj_w, self.proj_b, labels, flat,
                                            self.num_samples, self.target_vocab_size)
        else:
            ce = tf.nn.sparse_softmax_cross_entropy_with_logits(labels[:, 0], self._logits(flat))
        ce = tf.reshape(ce, tf.shape(targets)) * weights
        # the seed's sequence_loss: per-sentence mean over its real steps, then over the batch
        return tf.reduce_mean(tf.reduce_sum(ce, 1) / (tf.reduce_sum(weights, 1) + 1e-12))

    def _train_step(self, enc_ids: tf.Tensor, dec_ids: tf.Tensor, weights: tf.Tensor
                    ) -> tuple[tf.Tensor, tf.Tensor]:
        params = self.all_params
        with tf.GradientTape() as tape:
            loss = self._loss(self._decode_teacher(enc_ids, dec_ids), dec_ids, weights, True)
        grads = tape.gradient(loss, params)
        grads, norm = tf.clip_by_global_norm(grads, self.max_gradient_norm)
        for v, g in zip(params, grads):
            if isinstance(g, tf.IndexedSlices):
                v.scatter_sub(tf.IndexedSlices(self.learning_rate * g.values, g.indices))
            else:
                v.assign_sub(self.learning_rate * g)
        self.global_step.assign_add(1)
        return norm, loss

    def _eval_step(self, enc_ids: tf.Tensor, dec_ids: tf.Tensor, weights: tf.Tensor
                   ) -> tuple[tf.Tensor, tf.Tensor]:
        outs = self._decode_teacher(enc_ids, dec_ids)
        return self._loss(outs, dec_ids, weights, False), self._logits(outs)

    def step(self, encoder_inputs: Any, decoder_inputs: Any, target_weights: Any,
             bucket_id: int, forward_only: bool) -> tuple[Any, float, Any]:
        """One compiled step on a batch from :meth:`get_batch`.

        Returns ``(gradient_norm, loss, None)`` when training, ``(None, loss, logits
        [B, target_len, target_vocab])`` with ``forward_only`` (full softmax, teacher forcing).
        """
        table = self._eval_steps if forward_only else self._train_steps
        if bucket_id not in table:
            table[bucket_id] = tf.function(self._eval_step if forward_only else self._train_step)
        args = (tf.constant(encoder_inputs, tf.int32), tf.constant(decoder_inputs, tf.int32),
                tf.constant(target_weights, tf.float32))
        if forward_only:
            loss, logits = table[bucket_id](*args)
            return None, float(loss), logits.numpy()
        norm, loss = table[bucket_id](*args)
        return float(norm), float(loss), None

    # ------------------------------------------------------------------------- decoding
    def _greedy_decode(self, enc_ids: tf.Tensor, max_len: tf.Tensor) -> tf.Tensor:
        outputs, finals, keys, mask = self._encode(enc_ids)
        enc = (outputs, keys, mask)
        steppers = [c.stepper() for c in self.decoder]
        batch = tf.shape(enc_ids)[0]
        ta = tf.TensorArray(tf.int32, size=max_len)

        def body(t: tf.Tensor, prev: tf.Tensor, states: tuple[Any, ...], context: tf.Tensor,
                 ta: tf.TensorArray) -> tuple[Any, ...]:
            emb = tf.nn.embedding_lookup(self.dec_embedding, prev)
            out, states, context = self._decoder_step(steppers, emb, list(states), context, enc)
            tok = tf.argmax(self._logits(out), -1, output_type=tf.int32)
            return t + 1, tok, tuple(states), context, ta.write(t, tok)

        _, _, _, _, ta = tf.while_loop(
            lambda t, *_: t < max_len, body,
            (tf.constant(0), tf.fill([batch], GO_ID), tuple(finals), tf.zeros([batch, self.size]),
             ta))
        return tf.transpose(ta.stack())

    def _beam_decode(self, enc_ids: tf.Tensor, max_len: tf.Tensor, beam_size: int
                     ) -> tuple[tf.Tensor, tf.Tensor]:
        k, v = beam_size, self.target_vocab_size
        enc_ids = tf.repeat(enc_ids[:1], k, axis=0)
        outputs, finals, keys, mask = self._encode(enc_ids)
        enc = (outputs, keys, mask)
        steppers = [c.stepper() for c in self.decoder]
        neg = tf.constant(-1e9)
        scores0 = tf.concat([[0.0], tf.fill([k - 1], neg)], 0)
        only_pad = tf.where(tf.range(v) == PAD_ID, 0.0, neg)[None, :]

        def body(t: tf.Tensor, prev: tf.Tensor, states: tuple[Any, ...], context: tf.Tensor,
                 scores: tf.Tensor, done: tf.Tensor, tokens: tf.Tensor) -> tuple[Any, ...]:
            emb = tf.nn.embedding_lookup(self.dec_embedding, prev)
            out, states, context = self._decoder_step(steppers, emb, list(states), context, enc)
            logp = tf.nn.log_softmax(self._logits(out), -1)
            logp = tf.where(done[:, None], only_pad, logp)  # finished beams only extend with PAD
            total = tf.reshape(scores[:, None] + logp, [-1])
            scores, idx = tf.math.top_k(total, k)
            beam, tok = idx // v, tf.cast(idx % v, tf.int32)
            states = tf.nest.map_structure(lambda s: tf.gather(s, beam), tuple(states))
            context = tf.gather(context, beam)
            tokens = tf.tensor_scatter_nd_update(
                tf.gather(tokens, beam), tf.stack([tf.range(k), tf.fill([k], t)], 1), tok)
            done = tf.gather(done, beam) | tf.equal(tok, EOS_ID)
            return t + 1, tok, states, context, scores, done, tokens

        init = (tf.constant(0), tf.fill([k], GO_ID), tuple(finals), tf.zeros([k, self.size]),
                scores0, tf.zeros([k], tf.bool), tf.fill([k, max_len], PAD_ID))
        _, _, _, _, scores, _, tokens = tf.while_loop(lambda t, *_: t < max_len, body, init)
        return tokens, scores

    def _source(self, source_ids: Any, bucket_id: int | None) -> tuple[np.ndarray, int]:
        ids = np.asarray(source_ids, np.int32)
        ids = ids[None] if ids.ndim == 1 else ids
        if bucket_id is None:
            fits = [i for i, (s, _) in enumerate(self.buckets) if s >= ids.shape[1]]
            if not fits:
                raise ValueError(f"decode: a source of {ids.shape[1]} ids is longer than the "
                                 f"largest bucket {self.buckets[-1]}")
            bucket_id = fits[0]
        enc_len, dec_len = self.buckets[bucket_id]
        enc = np.full((ids.shape[0], enc_len), PAD_ID, np.int32)
        for b, row in enumerate(ids):
            row = row[row != PAD_ID]
            enc[b, enc_len - len(row):] = row[::-1]
        return enc, dec_len

    def decode(self, source_ids: Any, bucket_id: int | None = None) -> list[list[int]]:
        """Greedy translation of ``[B, n]`` (or one ``[n]``) source ids, each cut at EOS."""
        enc, dec_len = self._source(source_ids, bucket_id)
        out = self._greedy(tf.constant(enc), tf.constant(dec_len)).numpy()
        return [_cut(row) for row in out]

    def beam_search(self, source_ids: Any, beam_size: int = 4, bucket_id: int | None = None
                    ) -> tuple[list[int], float]:
        """Beam search for one sentence: the best ids (cut at EOS) and their log-probability."""
        enc, dec_len = self._source(source_ids, bucket_id)
        tokens, scores = self._beam(tf.constant(enc[:1]), tf.constant(dec_len), int(beam_size))
        return _cut(tokens.numpy()[0]), float(scores.numpy()[0])

    def sequence_log_prob(self, source_ids: Any, target_ids: Sequence[int],
                          bucket_id: int | None = None) -> float:
        """log p(target + EOS | source) under the model (full softmax)."""
        enc, dec_len = self._source(source_ids, bucket_id)
        tgt = [*target_ids, EOS_ID]
        dec = np.full((1, dec_len), PAD_ID, np.int32)
        dec[0, : len(tgt)] = [GO_ID, *tgt][: len(tgt)]
        logits = self._logits(self._decode_teacher(tf.constant(enc[:1]), tf.constant(dec)))
        logp = tf.nn.log_softmax(logits, -1).numpy()[0]
        return float(sum(logp[t, tok] for t, tok in enumerate(tgt)))


def _cut(row: np.ndarray) -> list[int]:
    out = []
    for tok in row.tolist():
        if tok in (EOS_ID, PAD_ID):
            break
        out.append(tok)
    return out
