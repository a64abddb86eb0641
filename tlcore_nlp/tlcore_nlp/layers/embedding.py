"""Embedding input layers: lookup tables over int ids, their average, and skip-gram word2vec.

Each takes a parent that outputs int ids (``InputLayer([None, T], dtype=tf.int32)``) and holds
a table ``embeddings`` of shape ``(vocabulary_size, embedding_size)``.
"""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers._utils import check_positive_int, get_init, who
from tlcore.layers.core import Layer
from tlcore_nlp.layers.cells import fresh_init

__all__ = ["AverageEmbeddingInputlayer", "EmbeddingInputlayer", "Word2vecEmbeddingInputlayer"]


def _check_ids(layer: Layer, prev: Any) -> None:
    spec = getattr(prev, "output_spec", None)
    if isinstance(spec, tf.TensorSpec) and not spec.dtype.is_integer:
        raise ValueError(f"{who(layer)}: expected int word ids, e.g. InputLayer([None, T], "
                         f"dtype=tf.int32), received dtype {spec.dtype.name}")


class EmbeddingInputlayer(Layer):
    """Looks up each id's row: ``[...]`` ids -> ``[..., embedding_size]``.

    Args:
        prev: parent with int ids (any shape).
        vocabulary_size: rows of the table.
        embedding_size: columns.
        E_init: table initializer; TensorLayer's uniform(-0.1, 0.1).
        name: layer name; the table is ``<name>/embeddings``.

    >>> ids = InputLayer([None, 20], dtype=tf.int32)
    >>> EmbeddingInputlayer(ids, vocabulary_size=100, embedding_size=8).output_shape
    (None, 20, 8)
    """

    def __init__(self, prev: Layer, *, vocabulary_size: int = 80000, embedding_size: int = 200,
                 E_init: Any = keras.initializers.RandomUniform(-0.1, 0.1),
                 name: str | None = None) -> None:
        self.vocabulary_size = check_positive_int(self, "vocabulary_size", vocabulary_size)
        self.embedding_size = check_positive_int(self, "embedding_size", embedding_size)
        self.E_init = get_init(E_init)
        _check_ids(self, prev)
        super().__init__(prev, name=name, dtype=tf.float32)

    def build(self, input_shape: tf.TensorShape) -> None:
        self.embeddings = self.add_param("embeddings", (self.vocabulary_size, self.embedding_size),
                                         fresh_init(self.E_init))

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec(input_spec.shape.concatenate([self.embedding_size]), self.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.nn.embedding_lookup(self.embeddings, inputs)

    def describe(self) -> str:
        return f"({self.vocabulary_size}, {self.embedding_size})"

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                **self.serialize("vocabulary_size", "embedding_size", "E_init")}


class AverageEmbeddingInputlayer(Layer):
    """The mean of a sentence's word embeddings, pads ignored: ``[batch, T]`` ids ->
    ``[batch, embedding_size]`` (fastText-style sentence features).

    ``sum_t [id_t != pad] E[id_t] / (count_t [id_t != pad] + 1e-8)``; an all-pad row gives 0.

    Args:
        prev: parent with int ids ``[batch, T]``.
        vocabulary_size, embedding_size: the table's shape.
        pad_value: the id that is ignored.
        embeddings_initializer: uniform(-0.1, 0.1).
        name: layer name; the table is ``<name>/embeddings``.

    >>> ids = InputLayer([None, 20], dtype=tf.int32)
    >>> AverageEmbeddingInputlayer(ids, vocabulary_size=100, embedding_size=8).output_shape
    (None, 8)
    """

    def __init__(self, prev: Layer, *, vocabulary_size: int, embedding_size: int,
                 pad_value: int = 0,
                 embeddings_initializer: Any = keras.initializers.RandomUniform(-0.1, 0.1),
                 name: str | None = None) -> None:
        self.vocabulary_size = check_positive_int(self, "vocabulary_size", vocabulary_size)
        self.embedding_size = check_positive_int(self, "embedding_size", embedding_size)
        if isinstance(pad_value, bool) or not isinstance(pad_value, int):
            raise ValueError(f"{who(self)}: pad_value must be an int id, received {pad_value!r}")
        self.pad_value = pad_value
        self.embeddings_initializer = get_init(embeddings_initializer)
        _check_ids(self, prev)
        super().__init__(prev, name=name, dtype=tf.float32)

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank != 2:
            raise ValueError(f"{who(self)}: expected ids of rank 2 [batch, T], received shape "
                             f"{tuple(input_shape.as_list()) if input_shape.rank else None}")
        self.embeddings = self.add_param("embeddings", (self.vocabulary_size, self.embedding_size),
                                         fresh_init(self.embeddings_initializer))

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec((input_spec.shape[0], self.embedding_size), self.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        vectors = tf.nn.embedding_lookup(self.embeddings, inputs)
        mask = tf.cast(tf.not_equal(inputs, tf.cast(self.pad_value, inputs.dtype)), self.dtype)
        total = tf.reduce_sum(vectors * mask[:, :, None], axis=1)
        count = tf.reduce_sum(mask, axis=1, keepdims=True)
        return total / (count + 1e-8)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                **self.serialize("vocabulary_size", "embedding_size", "pad_value",
                                 "embeddings_initializer")}


class Word2vecEmbeddingInputlayer(Layer):
    """Skip-gram word2vec: the layer outputs the embedding of each center word; the training
    loss is :meth:`nce_cost` (noise-contrastive estimation, ``tf.nn.nce_loss``), to which the
    context words are passed as labels when it is computed (there are no placeholders).

    Parameters, in order: ``embeddings`` ``(V, E)``, ``nce_weights`` ``(V, E)``,
    ``nce_biases`` ``(V,)``.

    Args:
        prev: parent with int center-word ids ``[batch]``.
        vocabulary_size, embedding_size: the table's shape.
        num_sampled: negative samples per batch.
        nce_loss_args: extra keywords of ``tf.nn.nce_loss`` (e.g. ``remove_accidental_hits``).
        E_init: uniform(-1, 1), as in TensorLayer.
        nce_W_init: truncated normal, stddev 0.03 (the tutorial uses ``1 / sqrt(E)``).
        nce_b_init: zeros.
        name: layer name.

    >>> net = Word2vecEmbeddingInputlayer(InputLayer([None], dtype=tf.int32),
    ...                                   vocabulary_size=50, embedding_size=8, num_sampled=4)
    >>> loss = net.nce_cost([1, 2], labels=[[3], [4]])
    """

    def __init__(self, prev: Layer, *, vocabulary_size: int = 80000, embedding_size: int = 200,
                 num_sampled: int = 64, nce_loss_args: dict[str, Any] | None = None,
                 E_init: Any = keras.initializers.RandomUniform(-1.0, 1.0),
                 nce_W_init: Any = keras.initializers.TruncatedNormal(stddev=0.03),
                 nce_b_init: Any = keras.initializers.Zeros(), name: str | None = None) -> None:
        self.vocabulary_size = check_positive_int(self, "vocabulary_size", vocabulary_size)
        self.embedding_size = check_positive_int(self, "embedding_size", embedding_size)
        self.num_sampled = check_positive_int(self, "num_sampled", num_sampled)
        if not isinstance(nce_loss_args, (dict, type(None))):
            raise ValueError(f"{who(self)}: nce_loss_args must be a dict or None, received "
                             f"{nce_loss_args!r}")
        self.nce_loss_args = dict(nce_loss_args or {})
        self.E_init, self.nce_W_init = get_init(E_init), get_init(nce_W_init)
        self.nce_b_init = get_init(nce_b_init)
        _check_ids(self, prev)
        super().__init__(prev, name=name, dtype=tf.float32)

    def build(self, input_shape: tf.TensorShape) -> None:
        v, e = self.vocabulary_size, self.embedding_size
        self.embeddings = self.add_param("embeddings", (v, e), fresh_init(self.E_init))
        self.nce_weights = self.add_param("nce_weights", (v, e), fresh_init(self.nce_W_init))
        self.nce_biases = self.add_param("nce_biases", (v,), fresh_init(self.nce_b_init))

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        return tf.TensorSpec(input_spec.shape.concatenate([self.embedding_size]), self.dtype)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.nn.embedding_lookup(self.embeddings, inputs)

    def nce_cost(self, inputs: Any, labels: Any, is_train: bool = True) -> tf.Tensor:
        """Mean NCE loss of the network ending here on center ids ``inputs`` and context ids
        ``labels`` (``[batch, num_true]`` or ``[batch]``). Differentiable; traces under
        ``tf.function``."""
        embed = self(inputs, is_train=is_train)
        labels = tf.cast(tf.convert_to_tensor(labels), tf.int64)
        if labels.shape.rank == 1:
            labels = labels[:, None]
        return tf.reduce_mean(tf.nn.nce_loss(
            weights=self.nce_weights, biases=self.nce_biases, labels=labels, inputs=embed,
            num_sampled=self.num_sampled, num_classes=self.vocabulary_size,
            **self.nce_loss_args))

    @property
    def normalized_embeddings(self) -> tf.Tensor:
        """The table with unit-norm rows (cosine similarity is a matmul)."""
        norm = tf.sqrt(tf.reduce_sum(tf.square(self.embeddings), axis=1, keepdims=True))
        return self.embeddings / norm

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(),
                **self.serialize("vocabulary_size", "embedding_size", "num_sampled",
                                 "nce_loss_args", "E_init", "nce_W_init", "nce_b_init")}
