"""``fresh(init)``: a per-variable copy of an unseeded Keras initializer.

An unseeded Keras 3 initializer *instance* returns the same values on every call, so a default
such as ``W_init=TruncatedNormal(stddev=0.1)`` shared by all instances of a layer class would
give every layer identical weights. Layers in this package clone such initializers before use.
"""
from __future__ import annotations

from typing import Any

import keras


def fresh(init: Any) -> Any:
    """A clone of ``init`` if it is an unseeded Keras initializer, else ``init`` itself."""
    # Keras keeps the user's seed in ``_init_seed`` (``seed`` is the drawn one); its config too.
    if (isinstance(init, keras.initializers.Initializer)
            and init.get_config().get("seed", 0) is None):
        return init.clone()
    return init
