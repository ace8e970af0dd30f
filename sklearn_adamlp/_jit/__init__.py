"""Optional compiled steps (the ``jit`` extra: numba).

With numba installed, ``Adam`` (also AdamW and AMSGrad), ``Adamax``, scikit-learn's
``SGD`` (also with momentum and Nesterov), torch's ``Momentum``/``Nesterov``,
``Adagrad`` and ``RMSprop`` run their step as one compiled pass over the flat
buffers, with the L2 term fused in, instead of three to ten numpy passes.
ReLU layers add their bias and apply the activation in one pass, and multiply
by the derivative in one more. The results are the same bits: the
loops repeat numpy's operations in the same order (tests/test_jit.py).

The loops run on the calling thread and release the GIL; they start no thread
pool, so they are safe in threads and in forked processes.

Loading numba costs a process about 0.3 s once (and compiling the loops about
a second more, the very first time: numba caches them on disk, in
``NUMBA_CACHE_DIR``, the package's ``__pycache__`` if writable or the user's
cache directory, see ``_loops._compiled``), more than a
small fit gains. So by default (mode ``"auto"``) a process runs its first
steps in numpy and loads numba once those steps have handled ``AUTO_AFTER``
buffer elements, about as long as loading takes: a large fit switches within
its first second, a small one never pays. This is the ski-rental rule: at most
twice the time of the better choice made in hindsight.

``SKLEARN_ADAMLP_JIT`` in the environment sets the mode: ``0``/``off`` (numpy
only), ``1``/``on`` (load numba at the first step) or ``auto``;
``set_enabled`` changes it at run time. Without numba everything runs in numpy.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from typing import Any

import numpy as np

#: buffer elements handled in numpy before mode "auto" loads numba (~0.3 s)
AUTO_AFTER = 100_000_000

_MODES = {
    **dict.fromkeys(("0", "false", "no", "off"), "off"),
    **dict.fromkeys(("1", "true", "yes", "on"), "on"),
    **dict.fromkeys(("auto", ""), "auto"),
}


def _mode_from_environment() -> str:
    value = os.environ.get("SKLEARN_ADAMLP_JIT", "auto").strip().lower()
    return _MODES.get(value, "auto")


_state: dict[str, Any] = {
    "mode": _mode_from_environment(),
    "loops": None,  # the _loops module once imported, False when numba is missing
    "work": 0,  # elements handled in numpy so far, for mode "auto"
}


def set_enabled(enabled: bool | str) -> bool | str:
    """Set the mode: True ("on"), False ("off") or "auto"; return the previous.

    The previous mode comes back in the same form: True, False or "auto".
    """
    if enabled not in (True, False, "on", "off", "auto"):
        raise ValueError(f"expected True, False or 'auto', got {enabled!r}")
    mode = _state["mode"]
    previous: bool | str = True if mode == "on" else False if mode == "off" else "auto"
    _state["mode"] = "on" if enabled is True else "off" if enabled is False else enabled
    return previous


def available() -> bool:
    """Whether compiled steps can run: the mode is not "off" and numba exists."""
    if _state["mode"] == "off" or _state["loops"] is False:
        return False
    return _state["loops"] is not None or importlib.util.find_spec("numba") is not None


def loaded() -> bool:
    """Whether numba and the loops are loaded in this process."""
    return bool(_state["loops"])


def load_if_used() -> bool:
    """Load numba and the loops now if this process runs or has imported them.

    With mode "on", or numba already imported (by any thread), the loops are
    imported here, waiting for a thread that is importing numba; nothing is
    loaded otherwise. Return ``loaded()``. The parallel sessions call it before
    forking worker processes, so that no import of numba is half done in a
    fork.
    """
    if available() and (_state["mode"] == "on" or "numba" in sys.modules):
        _load()
    return loaded()


def describe() -> str:
    """One line on which steps run in this process, for demos and reports."""
    if _state["mode"] == "off":
        return "numpy steps (SKLEARN_ADAMLP_JIT=0)"
    if _state["loops"]:
        import numba

        return f"compiled steps (numba {numba.__version__}, mode {_state['mode']})"
    if available():
        return (
            "numpy steps so far: mode 'auto' loads numba after ~0.3 s of steps "
            "(SKLEARN_ADAMLP_JIT=1 loads it at once)"
        )
    return "numpy steps (pip install 'sklearn-adamlp[jit]' for the compiled ones)"


def _loops_for(n: int):
    """Return the ``_loops`` module for a pass over ``n`` elements, or None.

    None means: run numpy's form (mode "off", numba missing, or mode "auto"
    before ``AUTO_AFTER`` elements).
    """
    mode, loops = _state["mode"], _state["loops"]
    if mode == "off":
        return None
    if loops is None:
        if mode == "auto":
            _state["work"] += n
            if _state["work"] < AUTO_AFTER:
                return None
        loops = _load()
    return loops or None


def _load():
    """Import the loops (and numba); False if numba cannot be imported."""
    try:
        from sklearn_adamlp._jit import _loops as loops
    except ImportError:  # numba is not installed (or not for this numpy)
        loops = False
    except Exception as exc:
        warnings.warn(
            f"numba failed to load ({exc!r}); sklearn_adamlp runs its numpy "
            "steps. Set SKLEARN_ADAMLP_JIT=0 to silence this.",
            RuntimeWarning,
            stacklevel=3,
        )
        loops = False
    _state["loops"] = loops
    return loops


def _flat_buffers(p, g, state) -> bool:
    """Whether ``p``, ``g`` and the state arrays are flat twins of ``p``.

    That is 1-D, C-contiguous, of ``p``'s float dtype and length; None entries
    of ``state`` (unused arrays) are skipped.
    """
    dt, n = p.dtype, p.shape[0]
    if dt != np.float64 and dt != np.float32:
        return False
    for a in (p, g, *state):
        if a is not None and not (
            a.ndim == 1 and a.flags.c_contiguous and a.dtype == dt and a.shape[0] == n
        ):
            return False
    return True


def _step(span: str, p, g, state, floats, flags, l2) -> bool:
    """Run ``_loops.<span>`` over the flat buffers; False if not applicable.

    ``state`` holds the state arrays (None for an unused one: the span gets an
    empty array in its place), ``floats`` then ``flags`` the span's scalars in
    its order, ``l2 = (c, stop)`` the term ``g[:stop] += c * p[:stop]``: the
    span runs once on ``[0, stop)`` adding it and once on ``[stop, n)`` not.
    Floats are rounded to the buffers' dtype, as numpy rounds Python floats.
    Written for a small per-step cost (a few microseconds): it runs every step.
    """
    loops = _loops_for(p.size)
    if loops is None or not _flat_buffers(p, g, state):
        return False
    dt = p.dtype.type
    args = [dt(x) for x in floats]
    args += flags
    run = getattr(loops, span)
    c, n, empty = dt(l2[0]), p.shape[0], p[:0]
    cut = min(max(int(l2[1]), 0), n)
    if cut:
        parts = [empty if a is None else a[:cut] for a in state]
        run(p[:cut], g[:cut], *parts, *args, c, bool(c != 0))
    if cut < n:
        parts = [empty if a is None else a[cut:] for a in state]
        run(p[cut:], g[cut:], *parts, *args, c, False)
    return True


def adam(p, g, m, v, vmax, beta_1, beta_2, eps_hat, step, decay, l2) -> bool:
    """One Adam step in one pass (``_loops.adam_span``); False if not applicable.

    ``m`` and ``v`` are the moments of the equations; ``vmax`` is the AMSGrad
    maximum or None; ``eps_hat`` is ``epsilon * sqrt(1 - beta_2**t)``, ``step``
    ``-lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``, ``decay`` AdamW's
    ``1 - lr * weight_decay``;
    ``l2 = (c, stop)``.
    """
    floats = (beta_1, beta_2, 1.0 - beta_2, eps_hat, step, decay)
    return _step("adam_span", p, g, (m, v, vmax), floats, [vmax is not None], l2)


def adamax(p, g, m, u, beta_1, beta_2, eps, step, l2) -> bool:
    """One AdaMax step (``_loops.adamax_span``); False if not applicable."""
    floats = (beta_1, 1.0 - beta_1, beta_2, eps, step)
    return _step("adamax_span", p, g, (m, u), floats, [], l2)


def sgd(p, g, v, lr, momentum, nesterov, l2) -> bool:
    """One step of scikit-learn's SGD (``_loops.sgd_span``); ``v`` None: no momentum."""
    mu = 0.0 if v is None else momentum
    return _step("sgd_span", p, g, (v,), (-lr, mu), [bool(nesterov)], l2)


def momentum(p, g, buf, lr, mu, nesterov, l2) -> bool:
    """One step of torch.optim.SGD's momentum (``_loops.momentum_span``)."""
    return _step("momentum_span", p, g, (buf,), (-lr, mu), [bool(nesterov)], l2)


def adagrad(p, g, G, lr, eps, l2) -> bool:
    """One Adagrad step (``_loops.adagrad_span``); False if not applicable."""
    return _step("adagrad_span", p, g, (G,), (-lr, eps), [], l2)


def rmsprop(p, g, Eg2, g_avg, buf, lr, rho, eps, momentum, l2) -> bool:
    """One RMSprop step (``_loops.rmsprop_span``); False if not applicable.

    ``g_avg`` (centered) and ``buf`` (momentum) are None when switched off.
    """
    floats = (-lr, rho, 1.0 - rho, eps, momentum)
    flags = [g_avg is not None, buf is not None]
    return _step("rmsprop_span", p, g, (Eg2, g_avg, buf), floats, flags, l2)


_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))


def _matrix_like(a, z) -> bool:
    """Whether ``a`` is a C-contiguous matrix of ``z``'s float dtype and shape.

    Written out rather than looped: it runs twice per layer and batch, and on
    a one-row predict its cost is of the order of the compiled pass itself.
    """
    return (
        a.dtype == z.dtype
        and a.dtype in _FLOATS
        and a.ndim == 2
        and a.shape == z.shape
        and a.flags.c_contiguous
    )


def bias_relu(z, b, out) -> bool:
    """``z += b; out = max(z, 0)`` in one pass; False (nothing done) if not applicable.

    ``out`` may be ``z``. See ``_loops.bias_relu``.
    """
    loops = _loops_for(z.size)
    if (
        loops is None
        or not _matrix_like(z, z)
        or b.dtype != z.dtype
        or b.shape != z.shape[1:]
        or not b.flags.c_contiguous
    ):
        return False
    if out is z:
        loops.bias_relu_inplace(z, b)
    elif _matrix_like(out, z):
        loops.bias_relu(z, b, out)
    else:
        return False
    return True


def relu_grad(delta, a) -> bool:
    """``delta *= (a > 0)`` in one pass; False (nothing done) if not applicable."""
    loops = _loops_for(delta.size)
    if loops is None or not (_matrix_like(delta, delta) and _matrix_like(a, delta)):
        return False
    loops.relu_grad(delta, a)
    return True
