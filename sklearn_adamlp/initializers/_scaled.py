"""Fan-scaled initializers (Glorot, sigmoid, He, LeCun) and the course notes' 'auto'."""

from __future__ import annotations

import math
from numbers import Real
from typing import ClassVar

import numpy as np

from sklearn_adamlp._validation import Interval
from sklearn_adamlp.initializers._base import INITIALIZERS, Initializer, normal, uniform


class _Scaled(Initializer):
    """``W ~ U(-s, s)`` or ``N(0, s**2)`` with ``s = gain * sqrt(c / n)``.

    Subclasses set ``c``, ``distribution`` and ``_fan`` (``n`` from the shape).
    """

    c: float = 1.0
    distribution: str = "uniform"
    _parameter_constraints: ClassVar[dict] = {
        "gain": [Interval(Real, 0, None, closed="neither")]
    }

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    @staticmethod
    def _fan(fan_in: int, fan_out: int) -> int:
        return fan_in + fan_out

    def scale(self, fan_in: int, fan_out: int) -> float:
        """Return the bound (uniform) or standard deviation (normal) for a shape."""
        return float(self.gain) * math.sqrt(self.c / self._fan(fan_in, fan_out))

    def __call__(self, shape, rng, dtype=np.float64):
        draw = uniform if self.distribution == "uniform" else normal
        return draw(rng, self.scale(*shape), shape, dtype)


@INITIALIZERS.register("glorot_uniform")
class GlorotUniform(_Scaled):
    """Glorot (Xavier) uniform, the course notes' tanh row.

    ::

        W ~ U(-s, s),   s = gain * sqrt(6 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=1.0
        Multiplier of the bound (4 for the logistic sigmoid, sqrt(2) for ReLU).

    References
    ----------
    Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks", AISTATS.
    """

    c = 6.0


@INITIALIZERS.register("glorot_normal")
class GlorotNormal(_Scaled):
    """Glorot (Xavier) normal, the course notes' tanh row, Gaussian column.

    ::

        W ~ N(0, s**2),   s = gain * sqrt(2 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=1.0
        Multiplier of the standard deviation.

    References
    ----------
    Glorot & Bengio (2010), AISTATS.
    """

    c = 2.0
    distribution = "normal"


@INITIALIZERS.register("sigmoid_uniform")
class SigmoidUniform(GlorotUniform):
    """The course notes' sigmoid row: 4 x Glorot uniform.

    ::

        W ~ U(-s, s),   s = 4 * sqrt(6 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=4.0
    """

    def __init__(self, gain: float = 4.0) -> None:
        self.gain = gain


@INITIALIZERS.register("sigmoid_normal")
class SigmoidNormal(GlorotNormal):
    """The course notes' sigmoid row, Gaussian column: 4 x Glorot normal.

    ::

        W ~ N(0, s**2),   s = 4 * sqrt(2 / (fan_in + fan_out))

    Parameters
    ----------
    gain : float, default=4.0
    """

    def __init__(self, gain: float = 4.0) -> None:
        self.gain = gain


class _FanIn(_Scaled):
    @staticmethod
    def _fan(fan_in: int, fan_out: int) -> int:
        return fan_in


@INITIALIZERS.register("he_uniform")
class HeUniform(_FanIn):
    """He (Kaiming) uniform, for ReLU units.

    ::

        W ~ U(-s, s),   s = gain * sqrt(6 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers", ICCV.
    """

    c = 6.0


@INITIALIZERS.register("he_normal")
class HeNormal(_FanIn):
    """He (Kaiming) normal, for ReLU units.

    ::

        W ~ N(0, s**2),   s = gain * sqrt(2 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    He, Zhang, Ren & Sun (2015), ICCV.
    """

    c = 2.0
    distribution = "normal"


@INITIALIZERS.register("lecun_uniform")
class LecunUniform(_FanIn):
    """LeCun uniform (unit variance of ``z`` for unit-variance inputs).

    ::

        W ~ U(-s, s),   s = gain * sqrt(3 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    LeCun, Bottou, Orr & Mueller (1998), "Efficient BackProp".
    """

    c = 3.0


@INITIALIZERS.register("lecun_normal")
class LecunNormal(_FanIn):
    """LeCun normal.

    ::

        W ~ N(0, s**2),   s = gain * sqrt(1 / fan_in)

    Parameters
    ----------
    gain : float, default=1.0

    References
    ----------
    LeCun, Bottou, Orr & Mueller (1998), "Efficient BackProp".
    """

    c = 1.0
    distribution = "normal"


#: The course notes' table (uniform column) as gains on Glorot uniform, by activation.
#: identity follows tanh (Glorot's linear-regime derivation); the ReLU-like units
#: (leaky_relu, elu, gelu, softplus) follow ReLU and SiLU. Unknown names get 1.
AUTO_GAINS: dict[str, float] = {
    "identity": 1.0,
    "logistic": 4.0,
    "tanh": 1.0,
    "relu": math.sqrt(2.0),
    "silu": math.sqrt(2.0),
    "leaky_relu": math.sqrt(2.0),
    "elu": math.sqrt(2.0),
    "gelu": math.sqrt(2.0),
    "softplus": math.sqrt(2.0),
}


@INITIALIZERS.register("auto")
class Auto(Initializer):
    """The course notes' table: Glorot uniform with a gain chosen by activation.

    ::

        W ~ U(-s, s),   s = gain(activation) * sqrt(6 / (fan_in + fan_out))

        logistic                                    gain = 4
        tanh, identity                              gain = 1
        relu, silu, leaky_relu, elu, gelu, softplus gain = sqrt(2)

    ``for_activation(name)`` returns ``GlorotUniform(gain=AUTO_GAINS[name])``
    (gain 1 for a name not in ``AUTO_GAINS``; register a user activation's gain
    there). The estimator asks each layer for the activation of the units it
    feeds; the output layer follows the last hidden activation.

    References
    ----------
    Glorot & Bengio (2010), AISTATS; He et al. (2015), ICCV.
    """

    def __call__(self, shape, rng, dtype=np.float64):
        return GlorotUniform()(shape, rng, dtype)

    def for_activation(self, activation):
        return GlorotUniform(gain=AUTO_GAINS.get(activation, 1.0))


@INITIALIZERS.register("auto_normal")
class AutoNormal(Initializer):
    """The course notes' table, Gaussian column: Glorot normal with a gain.

    ::

        W ~ N(0, s**2),   s = gain(activation) * sqrt(2 / (fan_in + fan_out))

        logistic                                    gain = 4        (sigmoid_normal)
        tanh, identity                              gain = 1        (glorot_normal)
        relu, silu, leaky_relu, elu, gelu, softplus gain = sqrt(2)

    The normal counterpart of ``Auto``: the same gains (``AUTO_GAINS``) on
    ``GlorotNormal`` instead of ``GlorotUniform``. For ReLU and SiLU the table's
    ``sqrt(2) * sqrt(2 / (fan_in + fan_out))`` is He's ``sqrt(2 / fan_in)`` with
    Glorot's fan average in place of ``fan_in``; ``init='he_normal'`` is the
    fan-in rule itself.

    References
    ----------
    Glorot & Bengio (2010), AISTATS; He et al. (2015), ICCV.
    """

    def __call__(self, shape, rng, dtype=np.float64):
        return GlorotNormal()(shape, rng, dtype)

    def for_activation(self, activation):
        return GlorotNormal(gain=AUTO_GAINS.get(activation, 1.0))
