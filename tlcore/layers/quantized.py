"""Quantized dense layers of TensorLayer 1.11: binary, ternary, DoReFa and linear (``Quan``).

Each keeps a float weight ``W`` (and bias ``b``), as 1.11 did, and quantizes it in ``forward``
with the ops of :mod:`tlcore.quantize`; gradients pass straight through the quantizers, so the
float weights train. ``use_gemm=True`` (a bit-packed GEMM kernel) was never implemented in 1.11
and is refused here too: ``tf.matmul`` computes the product.

:class:`BNFold` holds the batch-norm folding that ``QuanDenseLayerWithBN`` and tlcore-vision's
``QuanConv2dWithBN`` share.
"""
from __future__ import annotations

from typing import Any

import keras
import tensorflow as tf

from tlcore import quantize as q
from tlcore.layers.utils import Act, Init, check_positive_int, get_init, last_dim, who
from tlcore.layers.core import Layer

#: TensorLayer's dense default, ``tf.truncated_normal_initializer(stddev=0.1)``
DENSE_W_INIT = keras.initializers.TruncatedNormal(stddev=0.1)


def check_no_gemm(layer: Layer, use_gemm: Any) -> bool:
    """``use_gemm`` must be False: TensorLayer 1.11 raised for True as well."""
    if use_gemm is not False:
        raise ValueError(f"{who(layer)}: use_gemm=True (a bit-packed GEMM kernel) is not "
                         f"implemented, as in TensorLayer 1.11; received use_gemm={use_gemm!r}")
    return False


class _QuantizedDense(Layer):
    """``act(quantize_input(x) @ quantize_kernel(W) + b)``; subclasses set the two quantizers."""

    def _setup(self, n_units: int, use_gemm: bool, W_init: Init, b_init: Init) -> None:
        self.n_units = check_positive_int(self, "n_units", n_units)
        self.use_gemm = check_no_gemm(self, use_gemm)
        self.W_init, self.b_init = get_init(W_init), get_init(b_init)

    def build(self, input_shape: tf.TensorShape) -> None:
        self.W = self.add_param("W", (last_dim(self, input_shape, 2), self.n_units), self.W_init)
        self.b = (self.add_param("b", (self.n_units,), self.b_init)
                  if self.b_init is not None else None)

    def quantize_input(self, x: tf.Tensor) -> tf.Tensor:
        return x

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        raise NotImplementedError

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        y = tf.matmul(self.quantize_input(inputs), self.quantize_kernel(self.W))
        if self.b is not None:
            y = tf.nn.bias_add(y, self.b)
        return self.act(y)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("n_units", "use_gemm", "W_init",
                                                         "b_init")}


class BinaryDenseLayer(_QuantizedDense):
    """Dense layer with weights binarized to ``sign(W)`` (BinaryNet, Courbariaux et al. 2016);
    the bias stays float. ``act(x @ sign(W) + b)``.

    Args:
        prev_layer: parent layer of rank 2 ``(batch, n_in)``.
        n_units: output units.
        act: activation (often ``tl.act.sign`` or a SignLayer after BatchNorm).
        use_gemm: must be False (see the module docstring).
        W_init: float weight initializer, truncated normal stddev 0.1; variable ``W``.
        b_init: bias initializer; ``None`` drops ``b``.
        name: layer name.

    >>> net = BinaryDenseLayer(InputLayer([None, 784]), n_units=800)
    >>> [net.param_name(v) for v in net.all_params], net.count_params()
    (['binarydenselayer_1/W', 'binarydenselayer_1/b'], 628000)
    """

    def __init__(self, prev_layer: Layer, n_units: int = 100, act: Act = None,
                 use_gemm: bool = False, W_init: Init = DENSE_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self._setup(n_units, use_gemm, W_init, b_init)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.sign(w)


class TernaryDenseLayer(_QuantizedDense):
    """Dense layer with ternary weights ``alpha * ternary(W)`` in ``{-alpha, 0, alpha}``
    (ternary weight networks, Li et al. 2016; see :func:`tlcore.quantize.ternary`).

    Args: as :class:`BinaryDenseLayer`.

    >>> TernaryDenseLayer(InputLayer([None, 8]), n_units=4).count_params()
    36
    """

    def __init__(self, prev_layer: Layer, n_units: int = 100, act: Act = None,
                 use_gemm: bool = False, W_init: Init = DENSE_W_INIT, b_init: Init = "zeros", *,
                 name: str | None = None) -> None:
        self._setup(n_units, use_gemm, W_init, b_init)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.compute_alpha(w) * q.ternary(w)


class DorefaDenseLayer(_QuantizedDense):
    """DoReFa-Net dense layer (Zhou et al. 2016): inputs ``quantize_active(min(1, |x|), bitA)``,
    weights ``quantize_weight(W, bitW)``.

    Args:
        prev_layer: parent layer of rank 2.
        bitW: weight bits (1 = sign times mean magnitude); bitA: activation bits (32 = float).
        n_units, act, use_gemm, W_init, b_init, name: as :class:`BinaryDenseLayer`.

    >>> DorefaDenseLayer(InputLayer([None, 8]), 1, 3, 4).count_params()
    36
    """

    def __init__(self, prev_layer: Layer, bitW: int = 1, bitA: int = 3, n_units: int = 100,
                 act: Act = None, use_gemm: bool = False, W_init: Init = DENSE_W_INIT,
                 b_init: Init = "zeros", *, name: str | None = None) -> None:
        self.bitW, self.bitA = q.check_bits(self, "bitW", bitW), q.check_bits(self, "bitA", bitA)
        self._setup(n_units, use_gemm, W_init, b_init)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_input(self, x: tf.Tensor) -> tf.Tensor:
        return q.quantize_active(q.cabs(x), self.bitA)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.quantize_weight(w, self.bitW)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("bitW", "bitA")}


class QuanDenseLayer(_QuantizedDense):
    """Dense layer with linear ``bitA``-bit inputs and ``bitW``-bit weights, each quantized
    between its own min and max (:func:`tlcore.quantize.quantize_overflow`; Jacob et al. 2018).

    Args:
        prev_layer: parent layer of rank 2.
        n_units, act: as :class:`BinaryDenseLayer`.
        bitW, bitA: weight and input bits (32 = float).
        use_gemm, W_init, b_init, name: as :class:`BinaryDenseLayer`.

    >>> QuanDenseLayer(InputLayer([None, 8]), 4, bitW=8, bitA=8).count_params()
    36
    """

    def __init__(self, prev_layer: Layer, n_units: int = 100, act: Act = None, bitW: int = 8,
                 bitA: int = 8, use_gemm: bool = False, W_init: Init = DENSE_W_INIT,
                 b_init: Init = "zeros", *, name: str | None = None) -> None:
        self.bitW, self.bitA = q.check_bits(self, "bitW", bitW), q.check_bits(self, "bitA", bitA)
        self._setup(n_units, use_gemm, W_init, b_init)
        super().__init__(prev_layer, act=act, name=name)

    def quantize_input(self, x: tf.Tensor) -> tf.Tensor:
        return q.quantize_active_overflow(x, self.bitA)

    def quantize_kernel(self, w: tf.Tensor) -> tf.Tensor:
        return q.quantize_weight_overflow(w, self.bitW)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize("bitW", "bitA")}


class BNFold(Layer):
    """Batch normalization folded into a quantized linear layer (Jacob et al. 2018).

    The layer computes ``z = linear(x, W)`` on the float input to get the batch moments, then
    outputs ``linear(quantize(x), quantize(w_fold(W))) + bias_fold``. Variables, in 1.11's
    order after ``W``: ``scale_para`` (gamma), ``offset_para`` (beta), ``moving_mean``
    (starts at 1, as in 1.11), ``moving_variance`` (starts at 1). A mixin base: subclasses call
    ``_bn_setup`` in ``__init__``, ``_bn_build`` in ``build`` and ``_bn_fold`` in ``forward``.
    """

    def _bn_setup(self, decay: float, epsilon: float, is_train: bool | None, gamma_init: Init,
                  beta_init: Init) -> None:
        if isinstance(decay, bool) or not isinstance(decay, (int, float)) or not 0 <= decay < 1:
            raise ValueError(f"{who(self)}: decay must be a number in [0, 1), received {decay!r}")
        if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or epsilon <= 0:
            raise ValueError(f"{who(self)}: epsilon must be a positive number, received "
                             f"{epsilon!r}")
        if is_train is not None and not isinstance(is_train, bool):
            raise ValueError(f"{who(self)}: is_train must be None or a bool, received {is_train!r}")
        self.decay, self.epsilon, self.is_train = float(decay), float(epsilon), is_train
        self.gamma_init, self.beta_init = get_init(gamma_init), get_init(beta_init)

    def _bn_build(self, n: int) -> None:
        # As BatchNormLayer: is_train=False freezes gamma/beta (1.11 made them trainable=is_train)
        trainable = self.is_train is not False
        self.gamma = (self.add_param("scale_para", (n,), self.gamma_init, trainable=trainable)
                      if self.gamma_init is not None else None)
        self.beta = (self.add_param("offset_para", (n,), self.beta_init, trainable=trainable)
                     if self.beta_init is not None else None)
        self.moving_mean = self.add_param("moving_mean", (n,), keras.initializers.Ones(),
                                          trainable=False)
        self.moving_variance = self.add_param("moving_variance", (n,), keras.initializers.Ones(),
                                              trainable=False)

    def _bn_fold(self, z: tf.Tensor, w: tf.Tensor, is_train: bool) -> tuple[tf.Tensor, tf.Tensor]:
        """``(w_fold, bias_fold)`` from the float pre-activation ``z`` (moments over all axes
        but the last when training, the moving statistics otherwise)."""
        if is_train and self.is_train is not False:
            mean, var = tf.nn.moments(z, list(range(z.shape.rank - 1)))
            d = self.decay
            self.moving_mean.assign(self.moving_mean * d + mean * (1.0 - d))
            self.moving_variance.assign(self.moving_variance * d + var * (1.0 - d))
        else:
            mean, var = self.moving_mean, self.moving_variance
        gamma = self.gamma if self.gamma is not None else tf.ones_like(mean)
        beta = self.beta if self.beta is not None else tf.zeros_like(mean)
        return (q.w_fold(w, gamma, var, self.epsilon),
                q.bias_fold(beta, gamma, mean, var, self.epsilon))


class QuanDenseLayerWithBN(BNFold):
    """:class:`QuanDenseLayer` with batch normalization folded into its weights and bias
    (see :class:`BNFold`); there is no separate bias.

    TensorLayer's constructor flag ``is_train`` built a train or a test graph; as for
    ``BatchNormLayer``, ``is_train=False`` freezes the layer (moving statistics, ``scale_para``
    and ``offset_para`` not trainable) and ``None``/``True`` follow the call's ``is_train``.

    Args:
        prev_layer: parent layer of rank 2.
        n_units, act: as :class:`QuanDenseLayer`.
        decay: moving-average decay in [0, 1); epsilon: added to the variance.
        is_train: see above.
        bitW, bitA: weight and input bits.
        gamma_init, beta_init: initializers of ``scale_para`` (ones) and ``offset_para``
            (zeros); ``None`` drops the variable (scale 1, offset 0).
        use_gemm: must be False. W_init: truncated normal stddev 0.1. name: layer name.

    >>> net = QuanDenseLayerWithBN(InputLayer([None, 8]), n_units=4, name="q")
    >>> [net.param_name(v) for v in net.all_params]
    ['q/W', 'q/scale_para', 'q/offset_para', 'q/moving_mean', 'q/moving_variance']
    """

    def __init__(self, prev_layer: Layer, n_units: int = 100, act: Act = None,
                 decay: float = 0.9, epsilon: float = 1e-5, is_train: bool | None = None,
                 bitW: int = 8, bitA: int = 8, gamma_init: Init = "ones",
                 beta_init: Init = "zeros", use_gemm: bool = False,
                 W_init: Init = DENSE_W_INIT, *, name: str | None = None) -> None:
        self.n_units = check_positive_int(self, "n_units", n_units)
        self.bitW, self.bitA = q.check_bits(self, "bitW", bitW), q.check_bits(self, "bitA", bitA)
        self.use_gemm = check_no_gemm(self, use_gemm)
        self.W_init = get_init(W_init)
        self._bn_setup(decay, epsilon, is_train, gamma_init, beta_init)
        super().__init__(prev_layer, act=act, name=name)

    def build(self, input_shape: tf.TensorShape) -> None:
        self.W = self.add_param("W", (last_dim(self, input_shape, 2), self.n_units), self.W_init)
        self._bn_build(self.n_units)

    def forward(self, inputs: tf.Tensor, *, is_train: bool) -> tf.Tensor:
        wf, bf = self._bn_fold(tf.matmul(inputs, self.W), self.W, is_train)
        y = tf.matmul(q.quantize_active_overflow(inputs, self.bitA),
                      q.quantize_weight_overflow(wf, self.bitW))
        return self.act(tf.nn.bias_add(y, bf))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), **self.serialize(
            "n_units", "decay", "epsilon", "is_train", "bitW", "bitA", "gamma_init", "beta_init",
            "use_gemm", "W_init")}


__all__ = ["BNFold", "BinaryDenseLayer", "DorefaDenseLayer", "QuanDenseLayer",
           "QuanDenseLayerWithBN", "TernaryDenseLayer", "check_no_gemm"]
