from autodiff import Value


def test_tanh_neuron_gradient_matches_closed_form() -> None:
    w, x, b = Value(-3.0), Value(2.0), Value(6.88)
    a = (w * x + b).tanh()
    a.backward()
    assert abs(w.grad - x.data * (1 - a.data**2)) < 1e-12
