"""ConvLSTMLayer and BasicConvLSTMCell: an LSTM whose gates are 2-D convolutions
(Shi et al. 2015, "Convolutional LSTM Network"), for sequences of feature maps."""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore.layers.utils import act_name, check_positive_int, get_act, get_init, who
from tlcore.layers.core import Layer
from tlcore_nlp.layers.cells import LSTMStateTuple, fresh_init, unroll
from tlcore_nlp.layers.rnn import _UNIFORM, RecurrentLayer, moved_to_call

__all__ = ["BasicConvLSTMCell", "ConvLSTMLayer"]


class BasicConvLSTMCell:
    """TensorLayer's BasicConvLSTMCell: ``[x, h]`` convolved (SAME, stride 1) by ``Matrix``
    ``(fh, fw, C + F, 4F)`` plus ``Bias`` ``(4F,)``, gates i, j, f, o on the channel axis,
    ``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * act(j)``, ``h' = act(c') * sigmoid(o)``.
    The state is ``LSTMStateTuple(c, h)``, each ``[batch, H, W, F]``.

    Args:
        owner: the layer whose ``add_param`` creates the variables.
        n_in: input channels C.
        shape: ``(H, W)`` of the maps.
        filter_size: ``(fh, fw)``.
        num_features: F, the state's channels.
        initializer: of ``Matrix``.
        forget_bias: added to the forget gate.
        activation: ``tanh`` by default.
    """

    def __init__(self, owner: Any, n_in: int, shape: tuple[int, int],
                 filter_size: tuple[int, int], num_features: int, *, initializer: Any,
                 forget_bias: float = 1.0, activation: Any = None, prefix: str = "") -> None:
        self.n_in, self.shape, self.num_features = n_in, tuple(shape), num_features
        self.forget_bias = float(forget_bias)
        self.activation = get_act(activation) if activation is not None else tf.tanh
        f = num_features
        self.kernel = owner.add_param(f"{prefix}Matrix", (*filter_size, n_in + f, 4 * f),
                                      fresh_init(initializer))
        self.bias = owner.add_param(f"{prefix}Bias", (4 * f,), keras.initializers.Zeros())

    @property
    def state_shapes(self) -> LSTMStateTuple:
        s = tf.TensorShape([*self.shape, self.num_features])
        return LSTMStateTuple(s, s)

    def input_proj(self, x: tf.Tensor) -> tf.Tensor:
        """``[batch, T, H, W, C]`` -> the input's share of the gates ``[batch, T, H, W, 4F]``."""
        lead = tf.shape(x)[:2]
        flat = tf.reshape(x, tf.concat([[-1], tf.shape(x)[2:]], 0))
        y = tf.nn.conv2d(flat, self.kernel[:, :, : self.n_in], strides=1, padding="SAME")
        y = tf.nn.bias_add(y, self.bias)
        return tf.reshape(y, tf.concat([lead, tf.shape(y)[1:]], 0))

    def stepper(self) -> Any:
        w_h, fb, act = self.kernel[:, :, self.n_in:], self.forget_bias, self.activation

        def step(xp: tf.Tensor, state: LSTMStateTuple) -> tuple[tf.Tensor, LSTMStateTuple]:
            c, h = state
            z = xp + tf.nn.conv2d(h, w_h, strides=1, padding="SAME")
            i, j, f, o = tf.split(z, 4, axis=-1)
            new_c = c * tf.sigmoid(f + fb) + tf.sigmoid(i) * act(j)
            new_h = act(new_c) * tf.sigmoid(o)
            return new_h, LSTMStateTuple(new_c, new_h)

        return step

    def __call__(self, inputs: tf.Tensor, state: Any) -> tuple[tf.Tensor, Any]:
        """One step on ``[batch, H, W, C]``."""
        xp = self.input_proj(tf.convert_to_tensor(inputs)[:, None])[:, 0]
        return self.stepper()(xp, state)


class ConvLSTMLayer(RecurrentLayer):
    """A convolutional LSTM over ``[batch, n_steps, H, W, C]``.

    Args are TensorLayer 1.11's, in its order (new ones are keyword-only):

    Args:
        prev_layer: parent with output ``[batch, n_steps, H, W, C]``.
        cell_shape: ``(H, W)``; taken from the input when None (must match it when given).
        feature_map: F, channels of the state and output.
        filter_size: ``(fh, fw)`` of the gate convolutions.
        cell_fn: ``"BasicConvLSTMCell"`` (the only one).
        initializer: of ``Matrix``; uniform(-0.1, 0.1).
        n_steps: if given, the input's known time dim must equal it.
        initial_state: must be ``None``: pass ``initial_state=`` to the call.
        return_last: output the last step ``[batch, H, W, F]``.
        return_seq_2d: output ``[batch * n_steps, H * W * F]``.
        name: layer name.
        cell_init_args: ``{"forget_bias": ..., "activation": ...}``.
        keep_state: start each call from the previous call's final state.

    >>> ConvLSTMLayer(InputLayer([None, 4, 8, 8, 3]), feature_map=5).output_shape
    (None, 4, 8, 8, 5)
    """

    def __init__(self, prev_layer: Layer, cell_shape: Any = None, feature_map: int = 1,
                 filter_size: Any = (3, 3), cell_fn: Any = "BasicConvLSTMCell",
                 initializer: Any = _UNIFORM, n_steps: int | None = None,
                 initial_state: Any = None, return_last: bool = False,
                 return_seq_2d: bool = False, name: str | None = None, *,
                 cell_init_args: dict[str, Any] | None = None,
                 keep_state: bool = False) -> None:
        moved_to_call(self, "initial_state", initial_state, "initial_state=state")
        self.feature_map = check_positive_int(self, "feature_map", feature_map)
        self.filter_size = self._pair("filter_size", filter_size)
        self.cell_shape = None if cell_shape is None else self._pair("cell_shape", cell_shape)
        if cell_fn not in ("BasicConvLSTMCell", BasicConvLSTMCell):
            raise ValueError(f"{who(self)}: cell_fn must be 'BasicConvLSTMCell', received "
                             f"{cell_fn!r}")
        if not isinstance(cell_init_args, (dict, type(None))) or \
                set(cell_init_args or {}) - {"forget_bias", "activation"}:
            raise ValueError(f"{who(self)}: cell_init_args may hold forget_bias and activation, "
                             f"received {cell_init_args!r}")
        self.cell_init_args = dict(cell_init_args or {})
        self.n_steps = None if n_steps is None else check_positive_int(self, "n_steps", n_steps)
        self.return_last, self.return_seq_2d = bool(return_last), bool(return_seq_2d)
        self.initializer = get_init(initializer)
        self.keep_state, self.keep, self.n_layer, self._compiled = bool(keep_state), None, 1, None
        self.n_hidden = self.feature_map
        Layer.__init__(self, prev_layer, name=name)

    def _pair(self, arg: str, value: Any) -> tuple[int, int]:
        ok = isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value)
        if not ok:
            raise ValueError(f"{who(self)}: {arg} must be a pair of positive ints, received "
                             f"{value!r}")
        return (int(value[0]), int(value[1]))

    def build(self, input_shape: tf.TensorShape) -> None:
        if input_shape.rank != 5 or any(d is None for d in input_shape[2:]):
            raise ValueError(f"{who(self)}: expected input [batch, n_steps, H, W, C] with known "
                             f"H, W, C, received shape "
                             f"{tuple(input_shape.as_list()) if input_shape.rank else None}")
        hw = (int(input_shape[2]), int(input_shape[3]))
        if self.cell_shape is not None and self.cell_shape != hw:
            raise ValueError(f"{who(self)}: cell_shape {self.cell_shape} differs from the input's "
                             f"(H, W) = {hw}")
        if self.n_steps is not None and input_shape[1] is not None and \
                input_shape[1] != self.n_steps:
            raise ValueError(f"{who(self)}: n_steps={self.n_steps} but the input has "
                             f"{input_shape[1]} steps")
        self.cell = BasicConvLSTMCell(self, int(input_shape[4]), hw, self.filter_size,
                                      self.feature_map, initializer=self.initializer,
                                      **self.cell_init_args)
        self.state_shapes = self.cell.state_shapes
        self.make_state_store()

    def compute_output_spec(self, input_spec: tf.TensorSpec) -> tf.TensorSpec:
        b, t, h, w = input_spec.shape[:4]
        f = self.feature_map
        if self.return_last:
            shape = [b, h, w, f]
        elif self.return_seq_2d:
            shape = [b * t if b is not None and t is not None else None, h * w * f]
        else:
            shape = [b, t, h, w, f]
        return tf.TensorSpec(shape, self.dtype)

    def run(self, inputs: tf.Tensor, state: Any, *, is_train: bool) -> tuple[tf.Tensor, Any]:
        outputs, final = unroll(self.cell.stepper(), self.cell.input_proj(inputs), state)
        if self.return_last:
            return outputs[:, -1], final
        if self.return_seq_2d:
            h, w = self.cell.shape
            return tf.reshape(outputs, [-1, h * w * self.feature_map]), final
        return outputs, final

    def describe(self) -> str:
        return f"feature_map: {self.feature_map}, filter_size: {self.filter_size}"

    def get_config(self) -> dict[str, Any]:
        args = {k: (act_name(v) if callable(v) else v) for k, v in self.cell_init_args.items()}
        return {**Layer.get_config(self), "cell_fn": "BasicConvLSTMCell", "cell_init_args": args,
                **self.serialize("cell_shape", "feature_map", "filter_size", "initializer",
                                 "n_steps", "return_last", "return_seq_2d", "keep_state")}
