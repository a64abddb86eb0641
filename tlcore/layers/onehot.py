"""OneHotInputLayer: an input layer fed integer indices that outputs their one-hot encoding.

It follows the embedding input layers' convention (tlcore-nlp): it *starts* a network, as in
TensorLayer 1.x where it took the indices placeholder; ``inputs`` describes what is fed (a shape,
a ``tf.TensorSpec``, an int array or an ``InputLayer``, whose spec is taken without the
InputLayer joining the network). ``dtype`` and ``feed_spec`` are the fed indices' (what
``tl.utils.fit`` casts ``X`` to), ``output_spec`` the one-hot output's.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from tlcore.layers.core import InputLayer, Layer
from tlcore.layers._utils import shape_str, who


class OneHotInputLayer(InputLayer):
    """Starts a network fed integer indices and outputs ``tf.one_hot(indices, depth, ...)``.

    Args:
        inputs: the fed indices: their shape (list/tuple, ``None`` for unknown dims; int32), a
            ``tf.TensorSpec``, an integer array (shape and dtype taken, batch dim ``None``) or
            an ``InputLayer`` of integer dtype (its spec is taken).
        depth: number of classes.
        on_value: value at the index (default 1).
        off_value: value elsewhere (default 0).
        axis: where the new axis goes (default -1, last).
        dtype: output dtype (default float32; the attribute ``out_dtype``). The layer's own
            ``dtype`` attribute is the fed indices' dtype, as for every input layer.
        name: layer name.

    Raises:
        ValueError: a bad ``depth``/``on_value``/``off_value``/``axis`` or non-integer indices.
        TypeError: ``inputs`` is a layer other than an ``InputLayer``.

    >>> OneHotInputLayer([None], depth=10, name="labels").output_shape
    (None, 10)
    """

    def __init__(self, inputs: Any, depth: int | None = None, on_value: float | None = None,
                 off_value: float | None = None, axis: int | None = None,
                 dtype: tf.DType | str | None = None, name: str | None = None) -> None:
        if isinstance(depth, bool) or not isinstance(depth, int) or depth <= 0:
            raise ValueError(f"OneHotInputLayer {name!r}: depth must be a positive int, received "
                             f"{depth!r}")
        for arg, value in (("on_value", on_value), ("off_value", off_value)):
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, (int, float))):
                raise ValueError(f"OneHotInputLayer {name!r}: {arg} must be a number or None, "
                                 f"received {value!r}")
        if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int)):
            raise ValueError(f"OneHotInputLayer {name!r}: axis must be an int or None, received "
                             f"{axis!r}")
        self.depth, self.on_value, self.off_value, self.axis = depth, on_value, off_value, axis
        #: dtype of the one-hot output
        self.out_dtype = tf.as_dtype(dtype or tf.float32)
        if isinstance(inputs, InputLayer) and not hasattr(inputs, "feed_spec"):
            inputs = inputs.output_spec
        elif isinstance(inputs, Layer):
            raise TypeError(
                f"OneHotInputLayer {name!r}: starts a network, as in TensorLayer 1.x where it "
                f"took the indices placeholder: expected the indices' shape, a tf.TensorSpec, an "
                f"int array or an InputLayer, received {type(inputs).__name__} {inputs.name!r}")
        super().__init__(inputs, dtype=tf.int32, name=name or "onehotinputlayer_1")
        self._explicit_name = name is not None  # an automatic name may be renumbered on merge
        #: the spec of what is fed (integer indices); ``output_spec`` is the one-hot output
        self.feed_spec: tf.TensorSpec = self.output_spec
        if not self.feed_spec.dtype.is_integer:
            raise ValueError(f"{who(self)}: expected integer indices, e.g. InputLayer([None], "
                             f"dtype=tf.int32), received dtype {self.feed_spec.dtype.name}")
        rank = self.feed_spec.shape.rank
        if rank is not None and axis is not None and not -rank - 1 <= axis <= rank:
            raise ValueError(f"{who(self)}: axis must be in [{-rank - 1}, {rank}] for indices of "
                             f"shape {shape_str(self.feed_spec.shape)}, received {axis}")
        # self.dtype stays the indices' (InputLayer's): tl.utils.fit casts the fed X to it
        self.output_spec = tf.function(self._encode).get_concrete_function(
            self.feed_spec).structured_outputs
        self.output_spec = tf.TensorSpec(self.output_spec.shape, self.output_spec.dtype)

    def _encode(self, indices: tf.Tensor) -> tf.Tensor:
        return tf.one_hot(indices, self.depth, on_value=self.on_value, off_value=self.off_value,
                          axis=self.axis, dtype=self.out_dtype)

    def convert(self, x: Any) -> tf.Tensor:
        """Check the fed indices against :attr:`feed_spec` and one-hot encode them."""
        t = x if isinstance(x, tf.Tensor) else tf.convert_to_tensor(x)
        if not t.dtype.is_integer:
            raise TypeError(f"{who(self)}: expected integer indices, received dtype {t.dtype.name}")
        if not self.feed_spec.shape.is_compatible_with(t.shape):
            raise ValueError(f"{who(self)}: expected indices of shape "
                             f"{shape_str(self.feed_spec.shape)}, received {shape_str(t.shape)}")
        return self._encode(t)

    def get_config(self) -> dict[str, Any]:
        shape = self.feed_spec.shape
        return {"inputs": None if shape.rank is None else shape.as_list(), "depth": self.depth,
                "on_value": self.on_value, "off_value": self.off_value, "axis": self.axis,
                "dtype": self.out_dtype.name, "name": self.name}
