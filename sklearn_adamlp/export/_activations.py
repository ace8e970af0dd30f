"""ONNX forms of the activations, keyed by activation class.

Each emitter ``emit(g, x, act) -> name`` adds the nodes computing ``phi(x)`` to
the ``Graph`` ``g`` and returns the output's name; ``act`` is the activation
object, whose hyper-parameters (``negative_slope``, ``alpha``) it reads.

onnxruntime's CPU kernels of ``Erf``, ``Elu``, ``LeakyRelu``, ``Softplus`` and
``Gelu`` are float32 only, so a float64 network writes those activations with
primitive operators (``Exp``, ``Log``, ``Where``, ...) that have double kernels,
and GELU's normal CDF with Cephes' rational approximations of ``erf`` and
``erfc`` (Moshier, "Methods and Programs for Mathematical Functions", 1989; the
ones scipy's ``ndtr`` long used), accurate to about 1e-16.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sklearn_adamlp import activations
from sklearn_adamlp.export._graph import Graph

Emitter = Callable[[Graph, str, Any], str]

_EMITTERS: dict[type, Emitter] = {}


def register_activation(cls: type) -> Callable[[Emitter], Emitter]:
    """Return a decorator registering the ONNX form of activation class ``cls``.

    The emitter is called as ``emit(g, x, act)`` with the graph builder ``g``
    (``g.op(op_type, *inputs, **attributes) -> name``, ``g.const(value) ->
    name``, ``g.dtype``), the name ``x`` of the pre-activations and the
    activation object; it returns the name of ``phi(x)``. Only instances of
    exactly ``cls`` use it (a subclass may compute something else).

    Examples
    --------
    >>> from sklearn_adamlp.export import register_activation
    >>> @register_activation(MySquare)  # doctest: +SKIP
    ... def _square(g, x, act):
    ...     return g.op("Mul", x, x)
    """

    def decorator(fn: Emitter) -> Emitter:
        _EMITTERS[cls] = fn
        return fn

    return decorator


def emit(g: Graph, x: str, act: Any) -> str:
    """Add the nodes of ``act(x)``; ValueError for an activation without a form."""
    fn = _EMITTERS.get(type(act))
    if fn is None:
        name = getattr(act, "name", "") or type(act).__name__
        raise ValueError(
            f"activation {name!r} ({type(act).__module__}.{type(act).__qualname__}) "
            "has no ONNX form. Register one with "
            "sklearn_adamlp.export.register_activation"
            f"({type(act).__qualname__}) before exporting."
        )
    return fn(g, x, act)


def _float32(g: Graph) -> bool:
    return g.dtype == np.float32


@register_activation(activations.Identity)
def _identity(g: Graph, x: str, act: Any) -> str:
    return x


def sigmoid(g: Graph, x: str) -> str:
    """``1 / (1 + exp(-x))``; in float64 with full relative precision in the tails.

    onnxruntime's double ``Sigmoid`` loses the relative precision of values
    below about 1e-4 (it returns 0 for ``sigmoid(-40) = 4e-18``), so a float64
    network writes ``e = exp(-|x|)``, ``r = 1 / (1 + e)`` and takes ``r`` for
    ``x >= 0``, ``e * r`` otherwise.
    """
    if _float32(g):
        return g.op("Sigmoid", x)
    e = g.op("Exp", g.op("Neg", g.op("Abs", x)))
    r = g.op("Reciprocal", g.op("Add", e, g.const(1.0)))
    return g.op("Where", g.op("Less", x, g.const(0.0)), g.op("Mul", e, r), r)


def _log1p(g: Graph, e: str) -> str:
    """``log(1 + e)`` accurate for small ``e``: ``log(u) * e / (u - 1)``, ``u = 1 + e``.

    The rounding error of ``u`` cancels in the ratio (Goldberg 1991, "What
    every computer scientist should know about floating-point arithmetic",
    theorem 4); ``e`` itself where ``u`` rounds to 1.
    """
    u = g.op("Add", e, g.const(1.0))
    one = g.op("Equal", u, g.const(1.0))
    d = g.op("Where", one, g.const(1.0), g.op("Sub", u, g.const(1.0)))
    ratio = g.op("Div", g.op("Mul", g.op("Log", u), e), d)
    return g.op("Where", one, e, ratio)


def _expm1_neg(g: Graph, x: str) -> str:
    """``exp(x) - 1`` for ``x <= 0``, accurate near 0: ``(u - 1) * x / log(u)``.

    With ``u = exp(x)`` (Kahan's trick, as ``_log1p``); ``x`` itself where ``u``
    rounds to 1, and -1 where ``u`` underflows to 0.
    """
    u = g.op("Exp", x)
    one = g.op("Equal", u, g.const(1.0))
    zero = g.op("Equal", u, g.const(0.0))
    log_u = g.op("Where", g.op("Or", one, zero), g.const(1.0), g.op("Log", u))
    ratio = g.op("Div", g.op("Mul", g.op("Sub", u, g.const(1.0)), x), log_u)
    return g.op("Where", one, x, g.op("Where", zero, g.const(-1.0), ratio))


@register_activation(activations.Logistic)
def _logistic(g: Graph, x: str, act: Any) -> str:
    return sigmoid(g, x)


@register_activation(activations.Tanh)
def _tanh(g: Graph, x: str, act: Any) -> str:
    return g.op("Tanh", x)


@register_activation(activations.ReLU)
def _relu(g: Graph, x: str, act: Any) -> str:
    return g.op("Relu", x)


@register_activation(activations.SiLU)
def _silu(g: Graph, x: str, act: Any) -> str:
    """``x * sigmoid(x)``."""
    return g.op("Mul", x, sigmoid(g, x))


@register_activation(activations.LeakyReLU)
def _leaky_relu(g: Graph, x: str, act: Any) -> str:
    """``x if x >= 0 else negative_slope * x``."""
    slope = float(act.negative_slope)
    if _float32(g):
        return g.op("LeakyRelu", x, alpha=slope)
    neg = g.op("Less", x, g.const(0.0))
    return g.op("Where", neg, g.op("Mul", x, g.const(slope)), x)


@register_activation(activations.ELU)
def _elu(g: Graph, x: str, act: Any) -> str:
    """``x if x >= 0 else alpha * (exp(x) - 1)``."""
    alpha = float(act.alpha)
    if _float32(g):
        return g.op("Elu", x, alpha=alpha)
    neg_part = _expm1_neg(g, g.op("Min", x, g.const(0.0)))  # no overflow for x > 0
    neg_part = g.op("Mul", neg_part, g.const(alpha))
    return g.op("Where", g.op("Less", x, g.const(0.0)), neg_part, x)


@register_activation(activations.Softplus)
def _softplus(g: Graph, x: str, act: Any) -> str:
    """``max(x, 0) + log1p(exp(-|x|))`` (no overflow for large ``|x|``)."""
    tail = _log1p(g, g.op("Exp", g.op("Neg", g.op("Abs", x))))
    return g.op("Add", g.op("Relu", x), tail)


@register_activation(activations.GELU)
def _gelu(g: Graph, x: str, act: Any) -> str:
    """``x * Phi(x)``, ``Phi(x) = 0.5 * (1 + erf(x / sqrt(2)))`` (exact form)."""
    if _float32(g):
        e = g.op("Erf", g.op("Mul", x, g.const(np.sqrt(0.5))))
        cdf = g.op("Mul", g.op("Add", e, g.const(1.0)), g.const(0.5))
    else:
        cdf = ndtr(g, x)
    return g.op("Mul", x, cdf)


# Cephes ndtr.c coefficients, highest degree first
_T = [
    9.60497373987051638749e0, 9.00260197203842689217e1, 2.23200534594684319226e3,
    7.00332514112805075473e3, 5.55923013010394962768e4,
]  # fmt: skip
_U = [
    3.35617141647503099647e1, 5.21357949780152679795e2, 4.59432382970980127987e3,
    2.26290000613890934246e4, 4.92673942608635921086e4,
]  # fmt: skip
_P = [
    2.46196981473530512524e-10, 5.64189564831068821977e-1, 7.46321056442269912687e0,
    4.86371970985681366614e1, 1.96520832956077098242e2, 5.26445194995477358631e2,
    9.34528527171957607540e2, 1.02755188689515710272e3, 5.57535335369399327526e2,
]  # fmt: skip
_Q = [
    1.32281951154744992508e1, 8.67072140885989742329e1, 3.54937778887819891062e2,
    9.75708501743205489753e2, 1.82390916687909736289e3, 2.24633760818710981792e3,
    1.65666309194161350182e3, 5.57535340817727675546e2,
]  # fmt: skip
_R = [
    5.64189583547755073984e-1, 1.27536670759978104416e0, 5.01905042251180477414e0,
    6.16021097993053585195e0, 7.40974269950448939160e0, 2.97886665372100240670e0,
]  # fmt: skip
_S = [
    2.26052863220117276590e0, 9.39603524938001434673e0, 1.20489539808096656605e1,
    1.70814450747565897222e1, 9.60896809063285878198e0, 3.36907645100081516050e0,
]  # fmt: skip


def _polevl(g: Graph, x: str, coef: list[float], monic: bool = False) -> str:
    """Horner: ``c0 x^N + ... + cN``, or ``x^(N+1) + c0 x^N + ...`` if ``monic``."""
    ans = g.op("Add", x, g.const(coef[0])) if monic else g.const(coef[0])
    for c in coef[1:]:
        ans = g.op("Add", g.op("Mul", ans, x), g.const(c))
    return ans


def _clip(g: Graph, x: str, lo: float, hi: float) -> str:
    return g.op("Min", g.op("Max", x, g.const(lo)), g.const(hi))


def _erf_small(g: Graph, t: str) -> str:
    """``erf(t) = t T(t^2) / U(t^2)`` for ``|t| <= 1``."""
    t2 = g.op("Mul", t, t)
    return g.op("Div", g.op("Mul", t, _polevl(g, t2, _T)), _polevl(g, t2, _U, True))


def ndtr(g: Graph, a: str) -> str:
    """Return the standard normal CDF of ``a`` in primitive operators (``ndtr``).

    ::

        x = a / sqrt(2),  z = |x|
        Phi = 0.5 + 0.5 erf(x)                      z < 1/sqrt(2)
            = 0.5 erfc(z)      (1 - that if x > 0)  otherwise
        erfc(z) = 1 - erf(z)                        z < 1
                = exp(-z^2) P(z) / Q(z)             1 <= z < 8
                = exp(-z^2) R(z) / S(z)             z >= 8

    Every branch is computed on its own clipped domain (no overflow, no NaN)
    and ``Where`` selects.
    """
    x = g.op("Mul", a, g.const(np.sqrt(0.5)))
    z = g.op("Abs", x)
    small = g.op("Mul", _erf_small(g, _clip(g, x, -1.0, 1.0)), g.const(0.5))
    small = g.op("Add", small, g.const(0.5))
    lt1 = g.op("Sub", g.const(1.0), _erf_small(g, _clip(g, z, 0.0, 1.0)))
    zm, zb = _clip(g, z, 1.0, 8.0), _clip(g, z, 8.0, 40.0)
    mid = g.op("Div", _polevl(g, zm, _P), _polevl(g, zm, _Q, True))
    big = g.op("Div", _polevl(g, zb, _R), _polevl(g, zb, _S, True))
    tail = g.op("Where", g.op("Less", z, g.const(8.0)), mid, big)
    tail = g.op("Mul", g.op("Exp", g.op("Neg", g.op("Mul", z, z))), tail)
    erfc = g.op("Where", g.op("Less", z, g.const(1.0)), lt1, tail)
    half = g.op("Mul", erfc, g.const(0.5))
    large = g.op(
        "Where",
        g.op("Greater", x, g.const(0.0)),
        g.op("Sub", g.const(1.0), half),
        half,
    )
    return g.op("Where", g.op("Less", z, g.const(np.sqrt(0.5))), small, large)
