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

Hidden-layer activations are registered in ``ACTIVATIONS`` by decorating the
class (``@activations.register("mine")``), which stores one instance made with
the defaults; ``activations.register("mine")(MyActivation(...))`` registers a
configured instance. ``get(name)`` returns the registered instance;
``ACTIVATIONS.build(spec)`` gives a checked object (a copy of a user's object).
Output-only activations (``SOFTMAX``, ``EXP``) are module constants that losses
name as their pair.
"""

from sklearn_adamlp.activations._base import ACTIVATIONS, Activation
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

register = ACTIVATIONS.register
get = ACTIVATIONS.get
available = ACTIVATIONS.available

SOFTMAX = Softmax()
EXP = Exp()

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
