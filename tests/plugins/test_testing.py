"""tlcore.testing, the public harness plugin authors use: it fails where a layer is wrong and
its per-variable gradient expectations relax exactly what they name."""
from __future__ import annotations

import pytest

import tlcore as tl
from tlcore.testing import check_gradients, check_layer, random_inputs


def dead_relu(name: str = "d"):
    """A dense ReLU whose bias keeps every unit off: zero gradient for W and b."""
    net = tl.layers.InputLayer((None, 4), name="in")
    return tl.layers.DenseLayer(net, n_units=3, act="relu", b_init=-100.0, name=name)


def test_passes_a_correct_layer_and_counts_params():
    net = tl.layers.InputLayer((None, 4), name="in")
    assert check_layer(tl.layers.DenseLayer(net, n_units=3, name="d"), n_params=15).name == "d"


def test_wrong_param_count_fails():
    net = tl.layers.InputLayer((None, 4), name="in")
    with pytest.raises(AssertionError, match=r"count_params 15 != 16"):
        check_layer(tl.layers.DenseLayer(net, n_units=3, name="d"), n_params=16)


def test_zero_gradient_fails_and_names_the_variable():
    with pytest.raises(AssertionError, match=r"gradient of d/W is all zeros \(is_train=False\); "
                                             r"if that is right for this input, pass "
                                             r"grads=\{'d/W': 'exists'\}"):
        check_layer(dead_relu())


def test_per_variable_expectations_relax_only_what_they_name():
    check_layer(dead_relu(), grads={"d/*": "exists"})
    with pytest.raises(AssertionError, match=r"gradient of d/b is all zeros"):
        check_layer(dead_relu(), grads={"d/W": "exists"})


@pytest.mark.parametrize("grads, match", [
    ({"d/w": "exists"}, r"grads patterns \['d/w'\] match no trainable variable of 'd'; its "
                        r"variables are \['d/W', 'd/b'\]"),
    ({"d/W": "zero"}, r"grads values must be one of \('nonzero', 'exists', 'optional'\)"),
])
def test_bad_expectations_are_errors_not_silent(grads, match):
    net = dead_relu()
    with pytest.raises(ValueError, match=match):
        check_gradients(net, random_inputs(net, 2), is_train=False, grads=grads)
