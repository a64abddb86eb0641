"""``tl.optimizers``: TensorLayer 1.11's ``AMSGrad`` as a Keras 3 optimizer.

Imported on first use of ``tl.optimizers`` (it imports Keras).
"""
from __future__ import annotations

from typing import Any

import keras

__all__ = ["AMSGrad"]


class AMSGrad(keras.optimizers.Adam):
    """AMSGrad (Reddi et al., 2018, "On the Convergence of Adam and Beyond") with TensorLayer's
    argument names and defaults.

    The update is TensorLayer 1.11's: ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g^2``,
    ``vhat = max(vhat, v)``, ``w -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(vhat) + eps)``, which
    is Keras's ``Adam(amsgrad=True)``; this class is that optimizer under 1.11's signature, so
    it works with ``tl.utils.fit``, ``apply_gradients`` and Keras.

    Args:
        learning_rate: step size (TensorLayer's default 0.01), or a Keras schedule.
        beta1: decay of the first moment.
        beta2: decay of the second moment (TensorLayer's default 0.99, not Adam's 0.999).
        epsilon: added to ``sqrt(vhat)``.
        use_locking: TensorFlow 1's locking flag; only ``False`` exists in Keras 3.
        name: the optimizer's name.
        **kwargs: Keras optimizer options (``clipnorm``, ``weight_decay``, ...).

    >>> opt = AMSGrad(learning_rate=1e-4, beta1=0.9, beta2=0.999, epsilon=1e-8)
    >>> opt.amsgrad, float(opt.beta_2)
    (True, 0.999)
    """

    def __init__(self, learning_rate: Any = 0.01, beta1: float = 0.9, beta2: float = 0.99,
                 epsilon: float = 1e-8, use_locking: bool = False, name: str = "AMSGrad",
                 **kwargs: Any) -> None:
        if use_locking:
            raise ValueError("AMSGrad: use_locking=True was TensorFlow 1's resource locking; "
                             "Keras 3 optimizers have no such option, received use_locking=True")
        super().__init__(learning_rate=learning_rate, beta_1=beta1, beta_2=beta2,
                         epsilon=epsilon, amsgrad=True, name=name, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config["beta1"], config["beta2"] = config.pop("beta_1"), config.pop("beta_2")
        config.pop("amsgrad", None)
        return config
