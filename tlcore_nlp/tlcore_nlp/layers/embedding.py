"""Embedding input layers: lookup tables over int ids, their average, and skip-gram word2vec.

Input convention (the one ``OneHotInputLayer`` follows too): these layers *start* a network, as
in TensorLayer 1.x where they took the ids placeholder. ``inputs`` is what was fed: the ids'
shape (``None`` for unknown dims; dtype int32), a ``tf.TensorSpec``, an int array/tensor (shape
and dtype taken, batch dim made ``None``) or an ``InputLayer`` whose spec is taken (the
InputLayer itself does not join the network). The layer is the network's input layer: it is fed
the ids (``net(ids)``), ``feed_spec`` is their spec, ``output_spec`` the embeddings', and
``all_layers`` starts with it, so layer counts are 1.11's. Each holds a table ``embeddings`` of
shape ``(vocabulary_size, embedding_size)``, created through ``add_param``.
"""
from __future__ import annotations

import logging
from typing import Any

import keras
import tensorflow as tf

from tlcore.layers.utils import check_positive_int, get_init, shape_str, who
from tlcore.layers.core import InputLayer, Layer
from tlcore_nlp.layers.cells import fresh_init

__all__ = ["AverageEmbeddingInputlayer", "EmbeddingInputlayer", "Word2vecEmbeddingInputlayer"]

logger = logging.getLogger("tlcore")


class _IdsInputLayer(InputLayer):
    """Base of the embedding input layers: an InputLayer fed int ids that outputs vectors."""

    def _start(self, inputs: Any, dtype: Any, name: str | None) -> None:
        """Take the fed ids' spec from ``inputs`` (see the module docstring), before any
        variable exists."""
        cls = type(self).__name__
        if isinstance(inputs, InputLayer) and not hasattr(inputs, "feed_spec"):
            inputs = inputs.output_spec
        elif isinstance(inputs, Layer):
            raise TypeError(
                f"{cls} {name!r}: starts a network, as in TensorLayer 1.x where it took the ids "
                f"placeholder: expected the ids' shape, a tf.TensorSpec, an int array/tensor or "
                f"an InputLayer, received {type(inputs).__name__} {inputs.name!r}")
        InputLayer.__init__(self, inputs, dtype=tf.as_dtype(dtype or tf.int32),
                            name=name or f"{cls.lower()}_1")
        self._explicit_name = name is not None  # an automatic name may be renumbered on merge
        #: the spec of what is fed (int ids); ``output_spec`` is the embeddings'
        self.feed_spec: tf.TensorSpec = self.output_spec
        if not self.feed_spec.dtype.is_integer:
            raise ValueError(f"{who(self)}: expected int word ids, e.g. InputLayer([None, T], "
                             f"dtype=tf.int32), received dtype {self.feed_spec.dtype.name}")

    def _finish(self, out_shape: Any, describe: str) -> None:
        self.output_spec = tf.TensorSpec(out_shape, tf.float32)
        logger.info("Instantiate %s %s: %s", type(self).__name__, self.name, describe)

    def _table(self, name: str, shape: tuple[int, ...], init: Any) -> tf.Variable:
        # the fed ids are int: the tables are float32, whatever self.dtype (the ids') is
        return self.add_param(name, shape, fresh_init(init), dtype=tf.float32)

    def convert(self, x: Any) -> tf.Tensor:
        """Check the fed ids against :attr:`feed_spec` and embed them."""
        t = x if isinstance(x, tf.Tensor) else tf.convert_to_tensor(x)
        if not t.dtype.is_integer:
            raise TypeError(f"{who(self)}: expected int word ids, received dtype {t.dtype.name}")
        if not self.feed_spec.shape.is_compatible_with(t.shape):
            raise ValueError(f"{who(self)}: expected ids of shape "
                             f"{shape_str(self.feed_spec.shape)}, received {shape_str(t.shape)}")
        return self.forward(t, is_train=False)

    def feed_config(self) -> dict[str, Any]:
        """The ``inputs``/``dtype`` keywords that rebuild the fed spec."""
        shape = self.feed_spec.shape
        return {"inputs": None if shape.rank is None else shape.as_list(),
                "dtype": self.feed_spec.dtype.name}


def _no_init_args(layer: str, name: str | None, **kwargs: Any) -> None:
    for arg, value in kwargs.items():
        if value:
            raise ValueError(f"{layer} {name!r}: {arg} (keywords of TF1's tf.get_variable) is not "
                             f"supported: pass a configured initializer instead, received "
                             f"{value!r}")


class EmbeddingInputlayer(_IdsInputLayer):
    """Starts a network fed int ids and looks up each id's row: ``[...]`` ids ->
    ``[..., embedding_size]``.

    Args:
        inputs: the fed ids: a shape, a ``tf.TensorSpec``, an int array or an InputLayer (see
            the module docstring).
        vocabulary_size: rows of the table.
        embedding_size: columns.
        E_init: table initializer; TensorLayer's uniform(-0.1, 0.1).
        E_init_args: 1.11's ``tf.get_variable`` keywords; only ``None``/``{}`` is accepted.
        name: layer name; the table is ``<name>/embeddings``.
        dtype: dtype of the ids when ``inputs`` is a shape (int32).

    >>> EmbeddingInputlayer([None, 20], vocabulary_size=100, embedding_size=8).output_shape
    (None, 20, 8)
    """

    def __init__(self, inputs: Any, vocabulary_size: int = 80000, embedding_size: int = 200,
                 E_init: Any = keras.initializers.RandomUniform(-0.1, 0.1),
                 E_init_args: dict[str, Any] | None = None, name: str | None = None, *,
                 dtype: Any = None) -> None:
        self.vocabulary_size = check_positive_int(self, "vocabulary_size", vocabulary_size)
        self.embedding_size = check_positive_int(self, "embedding_size", embedding_size)
        _no_init_args(type(self).__name__, name, E_init_args=E_init_args)
        self.E_init = get_init(E_init)
        self._start(inputs, dtype, name)
        self.embeddings = self._table("embeddings", (self.vocabulary_size, self.embedding_size),
                                      self.E_init)
        self._finish(self.feed_spec.shape.concatenate([self.embedding_size]),
                     f"({self.vocabulary_size}, {self.embedding_size})")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.nn.embedding_lookup(self.embeddings, inputs)

    def get_config(self) -> dict[str, Any]:
        return {**self.feed_config(), "name": self.name,
                **self.serialize("vocabulary_size", "embedding_size", "E_init")}


class AverageEmbeddingInputlayer(_IdsInputLayer):
    """The mean of a sentence's word embeddings, pads ignored: ``[batch, T]`` ids ->
    ``[batch, embedding_size]`` (fastText-style sentence features).

    ``sum_t [id_t != pad] E[id_t] / (count_t [id_t != pad] + 1e-8)``; an all-pad row gives 0.

    Args:
        inputs: the fed ids ``[batch, T]`` (see the module docstring).
        vocabulary_size, embedding_size: the table's shape.
        pad_value: the id that is ignored.
        embeddings_initializer: uniform(-0.1, 0.1).
        embeddings_kwargs: 1.11's ``tf.get_variable`` keywords; only ``None``/``{}``.
        name: layer name; the table is ``<name>/embeddings``.
        dtype: dtype of the ids when ``inputs`` is a shape (int32).

    >>> AverageEmbeddingInputlayer([None, 20], vocabulary_size=100, embedding_size=8).output_shape
    (None, 8)
    """

    def __init__(self, inputs: Any, vocabulary_size: int, embedding_size: int,
                 pad_value: int = 0,
                 embeddings_initializer: Any = keras.initializers.RandomUniform(-0.1, 0.1),
                 embeddings_kwargs: dict[str, Any] | None = None, name: str | None = None, *,
                 dtype: Any = None) -> None:
        self.vocabulary_size = check_positive_int(self, "vocabulary_size", vocabulary_size)
        self.embedding_size = check_positive_int(self, "embedding_size", embedding_size)
        if isinstance(pad_value, bool) or not isinstance(pad_value, int):
            raise ValueError(f"{who(self)}: pad_value must be an int id, received {pad_value!r}")
        self.pad_value = pad_value
        _no_init_args(type(self).__name__, name, embeddings_kwargs=embeddings_kwargs)
        self.embeddings_initializer = get_init(embeddings_initializer)
        self._start(inputs, dtype, name)
        shape = self.feed_spec.shape
        if shape.rank != 2:
            raise ValueError(f"{who(self)}: expected ids of rank 2 [batch, T], received shape "
                             f"{shape_str(shape)}")
        self.embeddings = self._table("embeddings", (self.vocabulary_size, self.embedding_size),
                                      self.embeddings_initializer)
        self._finish((shape[0], self.embedding_size),
                     f"({self.vocabulary_size}, {self.embedding_size})")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        vectors = tf.nn.embedding_lookup(self.embeddings, inputs)
        mask = tf.cast(tf.not_equal(inputs, tf.cast(self.pad_value, inputs.dtype)), tf.float32)
        total = tf.reduce_sum(vectors * mask[:, :, None], axis=1)
        count = tf.reduce_sum(mask, axis=1, keepdims=True)
        return total / (count + 1e-8)

    def get_config(self) -> dict[str, Any]:
        return {**self.feed_config(), "name": self.name,
                **self.serialize("vocabulary_size", "embedding_size", "pad_value",
                                 "embeddings_initializer")}


class Word2vecEmbeddingInputlayer(_IdsInputLayer):
    """Skip-gram word2vec: the layer outputs the embedding of each center word; the training
    loss is :meth:`nce_cost` (noise-contrastive estimation, ``tf.nn.nce_loss``), to which the
    context words are passed as labels when it is computed (there are no placeholders: 1.11's
    ``train_labels`` placeholder may be given as a ``tf.TensorSpec``, which the labels must fit).

    Parameters, in order: ``embeddings`` ``(V, E)``, ``nce_weights`` ``(V, E)``,
    ``nce_biases`` ``(V,)``.

    Args:
        inputs: the fed center-word ids ``[batch]`` (see the module docstring).
        train_labels: ``None`` or the labels' ``tf.TensorSpec`` (1.11's placeholder), which
            :meth:`nce_cost` then checks; the labels themselves are passed to :meth:`nce_cost`.
        vocabulary_size, embedding_size: the table's shape.
        num_sampled: negative samples per batch.
        nce_loss_args: extra keywords of ``tf.nn.nce_loss`` (e.g. ``remove_accidental_hits``).
        E_init: uniform(-1, 1), as in TensorLayer.
        nce_W_init: truncated normal, stddev 0.03 (the tutorial uses ``1 / sqrt(E)``).
        nce_b_init: zeros.
        E_init_args, nce_W_init_args, nce_b_init_args: 1.11's ``tf.get_variable`` keywords;
            only ``None``/``{}``.
        name: layer name.
        dtype: dtype of the ids when ``inputs`` is a shape (int32).

    >>> net = Word2vecEmbeddingInputlayer([None], vocabulary_size=50, embedding_size=8,
    ...                                   num_sampled=4)
    >>> loss = net.nce_cost([1, 2], labels=[[3], [4]])
    """

    def __init__(self, inputs: Any, train_labels: Any = None, vocabulary_size: int = 80000,
                 embedding_size: int = 200, num_sampled: int = 64,
                 nce_loss_args: dict[str, Any] | None = None,
                 E_init: Any = keras.initializers.RandomUniform(-1.0, 1.0),
                 E_init_args: dict[str, Any] | None = None,
                 nce_W_init: Any = keras.initializers.TruncatedNormal(stddev=0.03),
                 nce_W_init_args: dict[str, Any] | None = None,
                 nce_b_init: Any = keras.initializers.Zeros(),
                 nce_b_init_args: dict[str, Any] | None = None, name: str | None = None, *,
                 dtype: Any = None) -> None:
        if train_labels is not None and not isinstance(train_labels, tf.TensorSpec):
            raise ValueError(
                f"{type(self).__name__} {name!r}: train_labels moved to the loss: pass the "
                f"context ids when computing it, net.nce_cost(center_ids, labels=context_ids) "
                f"(at construction only their tf.TensorSpec is accepted), received "
                f"{type(train_labels).__name__}")
        #: the declared labels (1.11's placeholder, as a spec): nce_cost checks against it
        self.train_labels: tf.TensorSpec | None = train_labels
        self.vocabulary_size = check_positive_int(self, "vocabulary_size", vocabulary_size)
        self.embedding_size = check_positive_int(self, "embedding_size", embedding_size)
        self.num_sampled = check_positive_int(self, "num_sampled", num_sampled)
        if not isinstance(nce_loss_args, (dict, type(None))):
            raise ValueError(f"{who(self)}: nce_loss_args must be a dict or None, received "
                             f"{nce_loss_args!r}")
        _no_init_args(type(self).__name__, name, E_init_args=E_init_args,
                      nce_W_init_args=nce_W_init_args, nce_b_init_args=nce_b_init_args)
        self.nce_loss_args = dict(nce_loss_args or {})
        self.E_init, self.nce_W_init = get_init(E_init), get_init(nce_W_init)
        self.nce_b_init = get_init(nce_b_init)
        self._start(inputs, dtype, name)
        v, e = self.vocabulary_size, self.embedding_size
        self.embeddings = self._table("embeddings", (v, e), self.E_init)
        self.nce_weights = self._table("nce_weights", (v, e), self.nce_W_init)
        self.nce_biases = self._table("nce_biases", (v,), self.nce_b_init)
        self._finish(self.feed_spec.shape.concatenate([e]), f"({v}, {e})")

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        return tf.nn.embedding_lookup(self.embeddings, inputs)

    def nce_cost(self, inputs: Any, labels: Any, is_train: bool = True) -> tf.Tensor:
        """Mean NCE loss of the network ending here on center ids ``inputs`` and context ids
        ``labels`` (``[batch, num_true]`` or ``[batch]``). Differentiable; traces under
        ``tf.function``."""
        embed = self(inputs, is_train=is_train)
        labels = tf.convert_to_tensor(labels)
        if not labels.dtype.is_integer:
            raise TypeError(f"{who(self)}: expected int context ids as labels, received dtype "
                            f"{labels.dtype.name}")
        if labels.shape.rank == 1:
            labels = labels[:, None]
        spec = self.train_labels
        if spec is not None and not spec.shape.is_compatible_with(labels.shape):
            raise ValueError(f"{who(self)}: expected labels of shape {shape_str(spec.shape)} "
                             f"(train_labels), received {shape_str(labels.shape)}")
        labels = tf.cast(labels, tf.int64)
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
        return {**self.feed_config(), "name": self.name,
                **self.serialize("vocabulary_size", "embedding_size", "num_sampled",
                                 "nce_loss_args", "E_init", "nce_W_init", "nce_b_init")}
