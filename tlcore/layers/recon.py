"""ReconLayer: the decoder of an autoencoder, with greedy layer-wise ``pretrain``."""
from __future__ import annotations

import logging
import os
from typing import Any, Sequence

import keras
import tensorflow as tf

from tlcore.layers._utils import Act, Init, who
from tlcore.layers.core import InputLayer, Layer
from tlcore.layers.dense import DenseLayer

logger = logging.getLogger("tlcore")

#: TensorLayer's pretraining cost constants: L2 on both weight matrices, the sparsity target
#: ``rho`` and weight ``beta`` of the KL term (sigmoid), and the L1 weight on the activations.
L2_W, KL_BETA, KL_RHO, L1_A = 0.004, 4.0, 0.15, 0.001


class ReconLayer(DenseLayer):
    """Reconstructs the encoder's input from its code: a DenseLayer used as a decoder.

    The parent is the encoder (a :class:`DenseLayer`); this layer maps its code back to
    ``n_units`` values. :meth:`pretrain` trains the encoder and this decoder (their four
    parameters only) to reconstruct ``x_recon`` with TensorLayer's cost::

        mse  = mean over the batch of sum((recon - target)**2, axis=1)
        l2   = 0.004 * (sum(W_enc**2) / 2 + sum(W_dec**2) / 2)
        cost = mse + l2 + 4 * sum_j KL(0.15 || mean_batch(code_j))   # act=sigmoid
        cost = mse + l2 + 0.001 * mean(code)                          # act=softplus or relu

    Args:
        prev_layer: the encoder, a DenseLayer of the same network.
        x_recon: what to reconstruct: ``None`` for the network input (first autoencoder; also
            what the InputLayer was built from, as 1.11 took its placeholder), or a
            layer of this network (or its name), e.g. the first encoder for the second
            autoencoder of a stack. The target is computed with dropout off.
        n_units: size of the reconstruction (784 for MNIST pixels).
        act: reconstruction activation: ``tf.nn.sigmoid`` (KL sparsity) or ``tf.nn.softplus``
            / ``tf.nn.relu`` (L1 sparsity).
        W_init, b_init: as for DenseLayer.
        name: layer name.

    Shapes: ``(batch, n_code) -> (batch, n_units)``.

    >>> net = InputLayer([None, 784], name="input")
    >>> net = DenseLayer(net, n_units=196, act=tf.nn.sigmoid, name="sigmoid1")
    >>> recon = ReconLayer(net, n_units=784, act=tf.nn.sigmoid, name="recon1")
    >>> recon.output_shape
    (None, 784)
    """

    def __init__(self, prev_layer: Layer, x_recon: Any = None, n_units: int = 784,
                 act: Act = tf.nn.softplus, name: str | None = None, *,
                 W_init: Init = keras.initializers.TruncatedNormal(stddev=0.1),
                 b_init: Init = "zeros") -> None:
        if not isinstance(prev_layer, DenseLayer):
            raise TypeError(f"{who(self)}: the parent must be the encoder, a DenseLayer, "
                            f"received {type(prev_layer).__name__}")
        self.x_recon = _find_target(self, prev_layer, x_recon)
        super().__init__(prev_layer, n_units=n_units, act=act, W_init=W_init, b_init=b_init,
                         name=name)
        kind = _sparsity(self.act)
        if kind is None:
            raise ValueError(f"{who(self)}: act must be tf.nn.sigmoid (KL sparsity), "
                             f"tf.nn.softplus or tf.nn.relu (L1 sparsity) for the pretraining "
                             f"cost, received {getattr(self.act, '__name__', self.act)!r}")
        self.sparsity = kind
        target_shape = (self.x_recon.output_spec.shape if self.x_recon is not None
                        else self.input_layers[0].output_spec.shape)
        if target_shape.rank != 2 or target_shape[-1] != n_units:
            what = "the network input" if self.x_recon is None else repr(self.x_recon.name)
            raise ValueError(f"{who(self)}: n_units must equal the size of what it "
                             f"reconstructs ({what}, shape {tuple(target_shape.as_list())}), "
                             f"received n_units={n_units}")

    @property
    def encoder(self) -> DenseLayer:
        """The parent DenseLayer whose code this layer decodes."""
        return self.prev_layers[0]  # type: ignore[return-value]

    @property
    def train_params(self) -> list[tf.Variable]:
        """What :meth:`pretrain` trains: the encoder's and this layer's parameters."""
        return [*self.encoder._own_params, *self._own_params]

    def recon_cost(self, recon: tf.Tensor, target: tf.Tensor, code: tf.Tensor) -> tf.Tensor:
        """TensorLayer's pretraining cost of a batch (see the class docstring)."""
        target = tf.cast(target, recon.dtype)
        mse = tf.reduce_mean(tf.reduce_sum(tf.square(recon - target), axis=1))
        l2 = L2_W * (tf.nn.l2_loss(self.encoder.W) + tf.nn.l2_loss(self.W))
        if self.sparsity == "kl":
            # Clipped so that a saturated unit gives a large but finite penalty.
            p_hat = tf.clip_by_value(tf.reduce_mean(code, axis=0), 1e-6, 1 - 1e-6)
            kl = KL_RHO * tf.math.log(KL_RHO / p_hat) + (1 - KL_RHO) * tf.math.log(
                (1 - KL_RHO) / (1 - p_hat))
            return mse + l2 + KL_BETA * tf.reduce_sum(kl)
        return mse + l2 + L1_A * tf.reduce_mean(code)

    def pretrain(self, X_train: Any, X_val: Any = None, denoise_name: str | None = None,
                 n_epoch: int = 100, batch_size: int = 128, print_freq: int = 10,
                 save: bool = True, save_name: str = "w1pre_", optimizer: Any = None, *,
                 save_dir: str | None = None, seed: int | None = None,
                 progress: bool | None = None, callbacks: Sequence[Any] = ()) -> Any:
        """Train the encoder and this decoder to reconstruct their target (greedy pretraining).

        Only the dropout layer named ``denoise_name`` (the corruption of a denoising
        autoencoder) is active while training; every other dropout or noise layer is off, and
        all are off for the validation loss. Logs ``Epoch … took``, ``train loss`` and
        ``val loss`` on epoch 1 and every ``print_freq`` epochs.

        Args:
            X_train: network inputs for training.
            X_val: network inputs for the validation loss (optional).
            denoise_name: name of the corrupting DropoutLayer, or ``None``.
            n_epoch, batch_size, print_freq: as for :func:`tlcore.utils.fit`.
            save: every ``print_freq`` epochs, save the encoder's parameters ``[W, b]`` to
                ``<save_dir>/<save_name><epoch>.npz``.
            save_name: file name prefix.
            optimizer: default ``Adam(1e-4)`` (TensorLayer's).
            save_dir: folder of the saved files (default: the working directory).
            seed: reproducible shuffling and noise.
            progress: progress bar switch, as for ``fit``.
            callbacks: callbacks as for :func:`tlcore.utils.fit` (``EarlyStopping``,
                ``CSVLogger``, plain functions ``fn(epoch, history)`` ...); they see the
                reconstruction loss as ``train_loss`` and ``val_loss``.

        Returns:
            The :class:`~tlcore.utils.TrainingHistory`.
        """
        from tlcore.training import TrainOptions, train

        layers = self.all_layers
        if denoise_name is not None and denoise_name not in {layer.name for layer in layers}:
            drops = [layer.name for layer in layers if layer._own_drop is not None]
            raise ValueError(f"{who(self)}: denoise_name {denoise_name!r} is not a layer of this "
                             f"network; its dropout layers are {drops}")
        if optimizer is None:
            optimizer = keras.optimizers.Adam(1e-4, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
        logger.info("     [%s] %s: pretraining %s with %s sparsity", type(self).__name__,
                    self.name, [self.param_name(v) for v in self.train_params], self.sparsity)
        train_on = {denoise_name} if denoise_name else set()

        def loss_fn(x: Any, t: Any, training: bool) -> tuple[tf.Tensor, tf.Tensor]:
            values = _run(self, x, train_on if training else set())
            code, recon = values[id(self.encoder)], values[id(self)]
            if self.x_recon is not None:
                target = _run(self.x_recon, x, set())[id(self.x_recon)]
            else:
                target = t
            return self.recon_cost(recon, target, code), recon

        callbacks = list(callbacks)
        if save:
            folder = save_dir or "."

            def save_encoder(epoch: int, history: Any) -> None:
                if epoch == 1 or epoch % print_freq == 0:
                    _save_arrays(self.encoder._own_params,
                                 os.path.join(folder, f"{save_name}{epoch}.npz"))

            os.makedirs(folder, exist_ok=True)
            callbacks.append(save_encoder)
        options = TrainOptions(what=f"{type(self).__name__} {self.name!r} pretrain",
                               batch_size=batch_size, n_epoch=n_epoch, print_freq=print_freq,
                               eval_train=False, seed=seed, progress=progress)
        return train(loss_fn, optimizer, self.train_params, self, X_train, X_train, X_val, X_val,
                     metrics={}, options=options, callbacks=callbacks)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["x_recon"] = None if self.x_recon is None else self.x_recon.name
        return config


def _sparsity(act: Any) -> str | None:
    if act is tf.nn.sigmoid or act is tf.sigmoid or getattr(act, "__name__", "") == "sigmoid":
        return "kl"
    if getattr(act, "__name__", "") in {"softplus", "relu"}:
        return "l1"
    return None


def _find_target(layer: Any, prev: Layer, x_recon: Any) -> Layer | None:
    if x_recon is None:
        return None
    candidates = {id(x): x for x in prev.all_layers}
    if not isinstance(x_recon, (str, Layer)):
        # ported code passes what the InputLayer was built from (1.11's placeholder)
        for x in prev.all_layers:
            if isinstance(x, InputLayer) and getattr(x, "source", None) is x_recon:
                x_recon = x
                break
    if isinstance(x_recon, str):
        for x in prev.all_layers:
            if x.name == x_recon:
                x_recon = x
                break
        else:
            raise ValueError(f"{who(layer)}: x_recon {x_recon!r} is not a layer of this network; "
                             f"its layers are {[x.name for x in prev.all_layers]}")
    if not isinstance(x_recon, Layer) or id(x_recon) not in candidates:
        raise ValueError(f"{who(layer)}: x_recon must be None (the network input) or a layer of "
                         f"this network (or its name), received {type(x_recon).__name__}; the "
                         f"data to reconstruct is given to pretrain as X_train")
    if isinstance(x_recon, InputLayer):
        return None
    return x_recon


def _run(net: Layer, x: Any, train_on: set[str]) -> dict[int, Any]:
    """Every layer's output, with ``is_train=True`` only for layers named in ``train_on``."""
    values: dict[int, Any] = {}
    for layer in net.all_layers:
        if isinstance(layer, InputLayer):
            values[id(layer)] = layer.convert(x)
            continue
        xs = [values[id(p)] for p in layer.prev_layers]
        values[id(layer)] = layer.forward(xs if layer.multi_input else xs[0],
                                          is_train=layer.name in train_on)
    return values


def _save_arrays(variables: list[tf.Variable], path: str) -> None:
    from tlcore import files

    files.save_npz(variables, name=path)
