"""Activation functions, each with its derivative beside it.

Every activation is a stateless object with

- ``forward(z, out)``: ``a = phi(z)`` written into ``out`` (which may be ``z``);
- ``derivative(z, a, delta)``: ``delta *= phi'(z)`` in place, where ``a = phi(z)``
  is given too, so most derivatives cost no extra transcendental function.

``needs_z`` tells the network whether the derivative reads ``z``; when it does not,
the network applies the activation in place and keeps a single buffer per layer, so
``derivative`` may then only use ``a``.

Every activation keeps float32 as float32 and raises no floating-point warning
(overflow, underflow, invalid) for ``|z|`` up to 1e4 in float32 and float64, even
under ``np.errstate(all='raise')``: exponential tails that would underflow are set
to zero explicitly instead of being computed.

Hidden-layer activations are registered in ``ACTIVATIONS`` as instances
(``activations.register("mine")(MyActivation())``); output-only ones
(``SOFTMAX``, ``EXP``) are module constants that losses name as their pair.
"""

from sklearn_adamlp._registry import Registry
from sklearn_adamlp.activations._base import Activation
from sklearn_adamlp.activations._classic import (
    Exp,
    Identity,
    Logistic,
    ReLU,
    Softmax,
    Tanh,
    softmax_lse,
)
from sklearn_adamlp.activations._smooth import ELU, GELU, LeakyReLU, SiLU, Softplus

ACTIVATIONS = Registry("activation")
register = ACTIVATIONS.register
get = ACTIVATIONS.get
available = ACTIVATIONS.available

SOFTMAX = Softmax()
EXP = Exp()

for _activation in (
    Identity(),
    Logistic(),
    Tanh(),
    ReLU(),
    SiLU(),
    LeakyReLU(),
    ELU(),
    GELU(),
    Softplus(),
):
    register(_activation.name)(_activation)

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "EXP",
    "GELU",
    "SOFTMAX",
    "Activation",
    "Exp",
    "Identity",
    "LeakyReLU",
    "Logistic",
    "ReLU",
    "SiLU",
    "Softmax",
    "Softplus",
    "Tanh",
    "available",
    "get",
    "register",
    "softmax_lse",
]
