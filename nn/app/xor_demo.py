"""A small training demo: an MLP learns XOR, which no single neuron can.

Example:
    >>> xor_demo(epochs=2, every=1)  # doctest: +ELLIPSIS
    Training MLP(2, [4, 1], activation='tanh', output_activation='sigmoid') on XOR...
    epoch    1  cost 0.255136
    epoch    2  cost 0.250596
      xor(0, 0) = 0   network: ...
    0
"""

from __future__ import annotations

from ..datasets import xor
from ..layers import MLP
from ..losses import sum_squared_error
from ..optim import Adam
from ..training import fit

__all__ = ["xor_demo"]


def xor_demo(epochs: int = 200, every: int = 25, seed: int = 0) -> int:
    """Train a 2→4→1 network on XOR with Adam, printing the cost as it falls.

    Returns 0 (the command line's exit status).
    """
    inputs, targets = xor()
    model = MLP(2, [4, 1], "tanh", output_activation="sigmoid", rng=seed)
    print(f"Training {model!r} on XOR: cost = mean of (a - y)² over the 4 examples")

    def report(epoch: int, cost: float) -> None:
        if epoch == 0 or (epoch + 1) % every == 0:
            print(f"epoch {epoch + 1:4d}  cost {cost:.6f}")

    optimizer = Adam(model.parameters(), lr=0.1)
    fit(
        model,
        inputs,
        targets,
        loss=sum_squared_error,
        optimizer=optimizer,
        epochs=epochs,
        progress=False,
        callback=report,
    )
    for x, (y,) in zip(inputs, targets):
        (a,) = model(x)
        print(f"  xor{tuple(int(v) for v in x)} = {y:.0f}   network: {a.data:.3f}")
    return 0
