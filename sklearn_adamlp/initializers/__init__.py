"""Weight initializers: ``init(shape=(fan_in, fan_out), rng=..., dtype=...)``.

Each initializer is a small cloneable object (``get_params``/``set_params``), so
``init=GlorotUniform()`` can be tuned by GridSearchCV. ``rng`` is the estimator's
random state (a ``numpy.random.RandomState`` from sklearn's ``check_random_state``,
or a ``numpy.random.Generator``: both offer ``uniform`` and ``normal``).

Biases start at zero unless an initializer overrides ``bias`` (only 'sklearn'
does). ``fan_in``/``fan_out`` are ``n^(L)``/``n^(L+1)`` of the course notes: the units
feeding the layer and the units it feeds.

``init='auto'`` follows the table of the course notes (uniform column): each layer's
initializer is chosen by the activation of the units it feeds (``AUTO_GAINS``);
``init='auto_normal'`` chooses from the Gaussian column by the same gains.

Initializers are registered in ``INITIALIZERS`` by decorating the class
(``@initializers.register("mine")``); ``build(spec)`` (``INITIALIZERS.build``)
gives a fresh, checked object.
"""

from sklearn_adamlp.initializers._base import (
    INITIALIZERS,
    Initializer,
    available,
    build,
    get,
    register,
)
from sklearn_adamlp.initializers._scaled import (
    AUTO_GAINS,
    Auto,
    AutoNormal,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    SigmoidNormal,
    SigmoidUniform,
)
from sklearn_adamlp.initializers._simple import (
    Constant,
    Normal,
    Orthogonal,
    SklearnUniform,
    Uniform,
    Zeros,
)

__all__ = [
    "AUTO_GAINS",
    "INITIALIZERS",
    "Auto",
    "AutoNormal",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Initializer",
    "LecunNormal",
    "LecunUniform",
    "Normal",
    "Orthogonal",
    "SigmoidNormal",
    "SigmoidUniform",
    "SklearnUniform",
    "Uniform",
    "Zeros",
    "available",
    "build",
    "get",
    "register",
]
