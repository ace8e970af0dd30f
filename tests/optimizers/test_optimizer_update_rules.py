"""Every update rule against an independent plain-numpy reference.

The references below are written again from the papers' / torch.optim's published
equations, one statement per equation line, allocating freely and never calling
the package. Each runs ``n`` steps of gradient ``grad`` from ``x0``.
"""

import math

import numpy as np
import pytest
from optim_problems import PROBLEMS, X0, quadratic, run

from sklearn_adamlp import optimizers


def ref_sgd_sklearn(x0, grad, n, lr, momentum=0.0, nesterov=False, wd=0.0):
    # scikit-learn's SGDOptimizer._get_updates
    p, v = x0.copy(), np.zeros_like(x0)
    for _ in range(n):
        g = grad(p) + wd * p
        v = momentum * v - lr * g
        update = momentum * v - lr * g if nesterov else v
        p = p + update
    return p


def ref_sgd_torch(x0, grad, n, lr, momentum=0.9, nesterov=False, wd=0.0):
    # torch.optim.SGD with dampening=0
    p, buf = x0.copy(), None
    for _ in range(n):
        g = grad(p) + wd * p
        buf = g.copy() if buf is None else momentum * buf + g
        d = g + momentum * buf if nesterov else buf
        p = p - lr * d
    return p


def ref_adagrad(x0, grad, n, lr=0.01, eps=1e-10, wd=0.0):
    p, G = x0.copy(), np.zeros_like(x0)
    for _ in range(n):
        g = grad(p) + wd * p
        G = G + g * g
        p = p - lr * g / (np.sqrt(G) + eps)
    return p


def ref_adadelta(x0, grad, n, lr=1.0, rho=0.9, eps=1e-6, wd=0.0):
    p, Eg2, Edx2 = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    for _ in range(n):
        g = grad(p) + wd * p
        Eg2 = rho * Eg2 + (1 - rho) * g * g
        dx = np.sqrt(Edx2 + eps) / np.sqrt(Eg2 + eps) * g
        Edx2 = rho * Edx2 + (1 - rho) * dx * dx
        p = p - lr * dx
    return p


def ref_rmsprop(
    x0, grad, n, lr=0.01, alpha=0.99, eps=1e-8, wd=0.0, momentum=0.0, centered=False
):
    # torch.optim.RMSprop: square_avg, grad_avg (centered), momentum_buffer
    p, v = x0.copy(), np.zeros_like(x0)
    g_avg, buf = np.zeros_like(x0), np.zeros_like(x0)
    for _ in range(n):
        g = grad(p) + wd * p
        v = alpha * v + (1 - alpha) * g**2
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg**2
        else:
            v_tilde = v
        if momentum > 0:
            buf = momentum * buf + g / (np.sqrt(v_tilde) + eps)
            p = p - lr * buf
        else:
            p = p - lr * g / (np.sqrt(v_tilde) + eps)
    return p


def ref_adam(
    x0,
    grad,
    n,
    lr=1e-3,
    b1=0.9,
    b2=0.999,
    eps=1e-8,
    wd=0.0,
    amsgrad=False,
    decoupled=0.0,
):
    p, m, v, vmax = x0.copy(), np.zeros_like(x0), np.zeros_like(x0), np.zeros_like(x0)
    for t in range(1, n + 1):
        g = grad(p) + wd * p
        p = p * (1 - lr * decoupled)  # AdamW: after the gradient, before the step
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        vmax = np.maximum(vmax, v)
        m_hat = m / (1 - b1**t)
        v_hat = (vmax if amsgrad else v) / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def ref_adam_uncorrected(x0, grad, n, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    # Kingma & Ba (2015), Algorithm 1 without the two bias-correction lines
    p, m, v = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    for _ in range(n):
        g = grad(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        p = p - lr * m / (np.sqrt(v) + eps)
    return p


def ref_adamax(x0, grad, n, lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0):
    p, m, u = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    for t in range(1, n + 1):
        g = grad(p) + wd * p
        m = b1 * m + (1 - b1) * g
        u = np.max(np.stack([b2 * u, np.abs(g) + eps]), axis=0)
        p = p - lr / (1 - b1**t) * m / u
    return p


def ref_nadam(x0, grad, n, lr=2e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, psi=4e-3):
    p, m, v, mu_prod = x0.copy(), np.zeros_like(x0), np.zeros_like(x0), 1.0
    for t in range(1, n + 1):
        g = grad(p) + wd * p
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_prod = mu_prod * mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        denom = np.sqrt(v / (1 - b2**t)) + eps
        p = p - lr * (1 - mu) / (1 - mu_prod) * g / denom
        p = p - lr * mu_next / (1 - mu_prod * mu_next) * m / denom
    return p


def ref_adabound(
    x0, grad, n, lr=1e-3, final_lr=0.1, gamma=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0
):
    # github.com/Luolc/AdaBound, adabound.py, AdaBound.step (base_lr == lr)
    p, m, v = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    for t in range(1, n + 1):
        g = grad(p) + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v) + eps
        step_size = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        lower = final_lr * (1 - 1 / (gamma * t + 1))
        upper = final_lr * (1 + 1 / (gamma * t))
        eta = np.clip(np.full_like(denom, step_size) / denom, lower, upper)
        p = p - eta * m
    return p


def ref_rprop(x0, grad, n, lr=0.01, etaminus=0.5, etaplus=1.2, smin=1e-6, smax=50.0):
    p, prev, step = x0.copy(), np.zeros_like(x0), np.full_like(x0, lr)
    for _ in range(n):
        g = grad(p)
        sign = np.sign(g * prev)
        factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0))
        step = np.clip(step * factor, smin, smax)
        g = np.where(sign < 0, 0.0, g)
        p = p - np.sign(g) * step
        prev = g
    return p


# (registry name, our kwargs, reference, reference kwargs): hyper-parameters away
# from the defaults where that exercises more of the rule; small enough learning
# rates that SGD stays finite on Rosenbrock.
CASES = [
    ("sgd", {"learning_rate": 1e-4}, ref_sgd_sklearn, {"lr": 1e-4}),
    (
        "sgd",
        {"learning_rate": 1e-4, "momentum": 0.8, "weight_decay": 0.1},
        ref_sgd_sklearn,
        {"lr": 1e-4, "momentum": 0.8, "wd": 0.1},
    ),
    (
        "sgd",
        {"learning_rate": 1e-4, "momentum": 0.9, "nesterov": True},
        ref_sgd_sklearn,
        {"lr": 1e-4, "momentum": 0.9, "nesterov": True},
    ),
    ("momentum", {"learning_rate": 1e-4}, ref_sgd_torch, {"lr": 1e-4}),
    (
        "momentum",
        {"learning_rate": 1e-4, "momentum": 0.5, "weight_decay": 0.1},
        ref_sgd_torch,
        {"lr": 1e-4, "momentum": 0.5, "wd": 0.1},
    ),
    (
        "nesterov",
        {"learning_rate": 1e-4},
        ref_sgd_torch,
        {"lr": 1e-4, "nesterov": True},
    ),
    ("adagrad", {}, ref_adagrad, {}),
    ("adagrad", {"weight_decay": 0.1}, ref_adagrad, {"wd": 0.1}),
    ("adadelta", {}, ref_adadelta, {}),
    (
        "adadelta",
        {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-5, "weight_decay": 0.1},
        ref_adadelta,
        {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "wd": 0.1},
    ),
    ("rmsprop", {}, ref_rmsprop, {}),
    (
        "rmsprop",
        {"learning_rate": 1e-3, "rho": 0.9, "weight_decay": 0.1},
        ref_rmsprop,
        {"lr": 1e-3, "alpha": 0.9, "wd": 0.1},
    ),
    ("rmsprop", {"momentum": 0.9}, ref_rmsprop, {"momentum": 0.9}),
    ("rmsprop", {"centered": True}, ref_rmsprop, {"centered": True}),
    (
        "rmsprop",
        {"learning_rate": 1e-3, "rho": 0.9, "momentum": 0.5, "centered": True},
        ref_rmsprop,
        {"lr": 1e-3, "alpha": 0.9, "momentum": 0.5, "centered": True},
    ),
    ("adam", {}, ref_adam, {}),
    (
        "adam",
        {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "weight_decay": 0.1},
        ref_adam,
        {"lr": 0.01, "b1": 0.8, "b2": 0.99, "wd": 0.1},
    ),
    ("adam", {"amsgrad": True}, ref_adam, {"amsgrad": True}),
    ("adam", {"bias_correction": False}, ref_adam_uncorrected, {}),
    (
        "adam",
        {"learning_rate": 0.01, "beta_2": 0.99, "bias_correction": False},
        ref_adam_uncorrected,
        {"lr": 0.01, "b2": 0.99},
    ),
    ("amsgrad", {"learning_rate": 0.01}, ref_adam, {"lr": 0.01, "amsgrad": True}),
    ("adamw", {}, ref_adam, {"decoupled": 0.01}),
    (
        "adamw",
        {"learning_rate": 0.01, "weight_decay": 0.5, "amsgrad": True},
        ref_adam,
        {"lr": 0.01, "decoupled": 0.5, "amsgrad": True},
    ),
    ("adamax", {}, ref_adamax, {}),
    (
        "adamax",
        {"learning_rate": 0.01, "beta_2": 0.9, "epsilon": 1e-3, "weight_decay": 0.1},
        ref_adamax,
        {"lr": 0.01, "b2": 0.9, "eps": 1e-3, "wd": 0.1},
    ),
    ("nadam", {}, ref_nadam, {}),
    (
        "nadam",
        {"learning_rate": 0.01, "momentum_decay": 0.1, "weight_decay": 0.1},
        ref_nadam,
        {"lr": 0.01, "psi": 0.1, "wd": 0.1},
    ),
    ("adabound", {}, ref_adabound, {}),
    (
        "adabound",
        {"learning_rate": 0.01, "final_lr": 1e-3, "gamma": 0.1, "weight_decay": 0.1},
        ref_adabound,
        {"lr": 0.01, "final_lr": 1e-3, "gamma": 0.1, "wd": 0.1},
    ),
    ("rprop", {}, ref_rprop, {}),
    (
        "rprop",
        {"learning_rate": 0.1, "eta_minus": 0.3, "eta_plus": 1.5, "step_max": 0.5},
        ref_rprop,
        {"lr": 0.1, "etaminus": 0.3, "etaplus": 1.5, "smax": 0.5},
    ),
]
IDS = [f"{name}-{i}" for i, (name, *_) in enumerate(CASES)]


def _grad(problem):
    return lambda x: problem(x)[1]


@pytest.mark.parametrize(("name", "kwargs", "ref", "ref_kwargs"), CASES, ids=IDS)
@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("n_steps", [1, 100])
def test_matches_reference_float64(name, kwargs, ref, ref_kwargs, problem, n_steps):
    f = PROBLEMS[problem]
    expected = ref(X0, _grad(f), n_steps, **ref_kwargs)
    got = run(optimizers.get(name)(**kwargs), f, n_steps)
    assert np.all(np.isfinite(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(("name", "kwargs", "ref", "ref_kwargs"), CASES, ids=IDS)
def test_float32_stays_float32_and_matches(name, kwargs, ref, ref_kwargs):
    opt = optimizers.get(name)(**kwargs)
    got = run(opt, quadratic, 100, dtype=np.float32)
    assert got.dtype == np.float32
    for s in opt.state_:
        for value in s.values():
            if isinstance(value, np.ndarray) and value.dtype != bool:
                assert value.dtype == np.float32
    expected = ref(X0, _grad(quadratic), 100, **ref_kwargs)
    np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-4)


STEPPERS = [
    n for n in optimizers.available() if not hasattr(optimizers.get(n), "minimize")
]


@pytest.mark.parametrize("name", STEPPERS)
def test_numpy_float64_hyperparameters_keep_float32(name):
    cls = optimizers.get(name)
    params = cls().get_params()
    numeric = {
        k: np.float64(v)
        for k, v in params.items()
        if isinstance(v, float) and not isinstance(v, bool)
    }
    numeric["weight_decay"] = np.float64(0.01)
    opt = cls(**{**params, **numeric})
    x = run(opt, quadratic, 3, dtype=np.float32)
    assert x.dtype == np.float32
    dtypes = {v.dtype for s in opt.state_ for v in s.values() if hasattr(v, "dtype")}
    assert dtypes <= {np.dtype(np.float32), np.dtype(bool)}


def test_adam_float64_hyperparameters_from_the_issue():
    opt = optimizers.Adam(learning_rate=np.float64(0.01), beta_1=np.float64(0.9))
    x = np.ones(5, dtype=np.float32)
    opt.step([x], [x.copy()])
    assert x.dtype == np.float32
    assert opt.state_[0]["m"].dtype == np.float32
    assert opt.state_[0]["v"].dtype == np.float32


@pytest.mark.parametrize("name", STEPPERS)
def test_list_of_arrays_equals_flat_buffer(name):
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (4, 2), (2,)]
    flat = rng.normal(size=sum(math.prod(s) for s in shapes))
    flat_opt, list_opt = optimizers.get(name)(), optimizers.get(name)()
    arrays, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        arrays.append(flat[start : start + size].reshape(shape).copy())
        start += size
    for _ in range(5):
        flat_opt.step([flat], [0.5 * flat + 0.1])
        list_opt.step(arrays, [0.5 * a + 0.1 for a in arrays])
    np.testing.assert_allclose(np.concatenate([a.ravel() for a in arrays]), flat)


def test_non_contiguous_params_are_updated_in_place():
    base = np.ones((4, 6))
    view = base[:, ::2]  # not contiguous
    opt = optimizers.Adam(learning_rate=0.1)
    opt.step([view], [np.ones_like(view)])
    np.testing.assert_allclose(base[:, ::2], 0.9)
    np.testing.assert_allclose(base[:, 1::2], 1.0)


def test_sgd_velocity_form_and_torch_form_differ_only_when_lr_changes():
    grad = _grad(quadratic)
    sk, torch_form = optimizers.SGD(momentum=0.9), optimizers.Momentum()
    x_sk, x_torch = X0.copy(), X0.copy()
    for i in range(20):
        for opt, x in ((sk, x_sk), (torch_form, x_torch)):
            scale = 1.0 if i < 10 else 0.1
            opt.step([x], [grad(x)], learning_rate=opt.learning_rate * scale)
        if i < 10:
            np.testing.assert_allclose(x_sk, x_torch, rtol=1e-12)
    assert not np.allclose(x_sk, x_torch, rtol=1e-6)


def test_adabound_scales_final_lr_with_the_schedule():
    grad = _grad(quadratic)
    opt = optimizers.AdaBound(learning_rate=0.01, final_lr=0.05)
    x = X0.copy()
    for _ in range(50):
        opt.step([x], [grad(x)], learning_rate=0.005)  # a schedule's 0.5 x 0.01
    # the reference with a scheduled lr: final_lr * lr / base_lr
    expected = ref_adabound(X0, grad, 50, lr=0.005, final_lr=0.025)
    np.testing.assert_allclose(x, expected, rtol=1e-10)


def test_the_learning_rate_argument_is_the_step_size_and_changes_no_attribute():
    """``step(..., learning_rate=r)`` takes the step at ``r`` (SGD: p - r * g)
    and leaves the optimizer's hyper-parameters and attributes as they were."""
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.0)
    x = np.array([1.0, -2.0])
    opt.step([x], [np.array([0.5, 0.5])])  # the hyper-parameter: 0.1
    np.testing.assert_allclose(x, [1.0 - 0.05, -2.0 - 0.05], rtol=1e-15)
    before = {k: v for k, v in vars(opt).items() if k not in ("state_", "t_")}
    opt.step([x], [np.array([0.5, 0.5])], learning_rate=0.02)
    np.testing.assert_allclose(x, [0.95 - 0.01, -2.05 - 0.01], rtol=1e-15)
    after = {k: v for k, v in vars(opt).items() if k not in ("state_", "t_")}
    assert after == before
    assert opt.learning_rate == 0.1


def test_rprop_initial_step_is_the_learning_rate():
    x = np.zeros(3)
    optimizers.Rprop(learning_rate=0.25).step([x], [np.array([1.0, -2.0, 0.0])])
    np.testing.assert_allclose(x, [-0.25, 0.25, 0.0])


@pytest.mark.parametrize(("name", "kwargs", "ref", "ref_kwargs"), CASES, ids=IDS)
@pytest.mark.parametrize("block", [1, 3])
def test_cache_blocked_updates_match_reference(
    monkeypatch, name, kwargs, ref, ref_kwargs, block
):
    """Large buffers are updated block by block; force blocks on a small one."""
    from sklearn_adamlp.optimizers import _base

    monkeypatch.setattr(_base, "BLOCK_SIZE", block)
    f = PROBLEMS["rosenbrock"]
    expected = ref(X0, _grad(f), 20, **ref_kwargs)
    got = run(optimizers.get(name)(**kwargs), f, 20)
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-14)


def test_adam_without_bias_correction_by_hand():
    # three steps of Kingma & Ba's update without the correction, written out
    # for one coordinate with gradient g = 2 p (f = p**2), lr = 0.1
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    p, m, v = 1.0, 0.0, 0.0
    for _ in range(3):
        g = 2.0 * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        p = p - lr * m / (math.sqrt(v) + eps)
    x = np.array([1.0])
    opt = optimizers.Adam(learning_rate=lr, bias_correction=False)
    for _ in range(3):
        opt.step([x], [2.0 * x])
    assert x[0] == pytest.approx(p, rel=1e-12)
    # the point of the correction: step 1 moves by lr * (1 - b1) / sqrt(1 - b2),
    # 3.16 lr, where the corrected Adam moves by lr (for any g)
    for correct, expected in ((False, lr * 0.1 / math.sqrt(0.001)), (True, lr)):
        x = np.array([1.0])
        optimizers.Adam(learning_rate=lr, bias_correction=correct).step([x], [x * 7])
        assert 1.0 - x[0] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_betas_changed_between_steps(amsgrad):
    """A beta changed between steps applies from that step on (Algorithm 1)."""
    f = PROBLEMS["rosenbrock"]
    grad = _grad(f)
    p, m, v, vmax = X0.copy(), np.zeros_like(X0), np.zeros_like(X0), np.zeros_like(X0)
    schedule = [(0.9, 0.999)] * 10 + [(0.7, 0.99)] * 10
    for t, (b1, b2) in enumerate(schedule, start=1):
        g = grad(p)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        den = np.sqrt((vmax if amsgrad else v) / (1 - b2**t)) + 1e-8
        p = p - 1e-2 * (m / (1 - b1**t)) / den
    opt = optimizers.get("adam")(learning_rate=1e-2, amsgrad=amsgrad)
    x = X0.copy()
    for b1, b2 in schedule:
        opt.set_params(beta_1=b1, beta_2=b2)
        opt.step([x], [grad(x)])
    np.testing.assert_allclose(x, p, rtol=1e-10)


class _PrefixL2:
    """Written independently of L2GradientTerm: g[:stop] += c * p[:stop] within b."""

    def __init__(self, c, stop):
        self.c, self.stop, self.calls = c, stop, 0

    def __call__(self, p, g, b):
        self.calls += 1
        idx = np.arange(p.shape[0])[b]
        idx = idx[idx < self.stop]
        g[idx] += self.c * p[idx]


@pytest.mark.parametrize(("name", "kwargs", "ref", "ref_kwargs"), CASES, ids=IDS)
@pytest.mark.parametrize("block", [1, 3, 1 << 16])
def test_gradient_terms_equal_adding_them_to_the_gradient_first(
    monkeypatch, name, kwargs, ref, ref_kwargs, block
):
    """Terms fused into the update's blocks give the update of the summed gradient."""
    from sklearn_adamlp.optimizers import _base

    monkeypatch.setattr(_base, "BLOCK_SIZE", block)
    grad = _grad(PROBLEMS["rosenbrock"])
    # the term stops inside the second block of 3; rprop needs a term large
    # enough to flip a gradient sign to notice it
    c, stop = (300.0 if name == "rprop" else 0.3), 3
    fused_opt, plain_opt = (
        optimizers.get(name)(**kwargs),
        optimizers.get(name)(**kwargs),
    )
    x_fused, x_plain, x_none = X0.copy(), X0.copy(), X0.copy()
    none_opt = optimizers.get(name)(**kwargs)
    term = _PrefixL2(c, stop)
    for _ in range(20):
        fused_opt.step([x_fused], [grad(x_fused)], [term])
        g = grad(x_plain)
        g[:stop] += c * x_plain[:stop]
        plain_opt.step([x_plain], [g])
        none_opt.step([x_none], [grad(x_none)])
    np.testing.assert_allclose(x_fused, x_plain, rtol=1e-12, atol=1e-15)
    assert np.abs(x_fused - x_none).max() > 1e-9  # the term did change the steps
    if getattr(fused_opt._update, "fuses_terms", False):  # once per block per step
        assert term.calls == 20 * len(_base._blocks(x_fused))


def test_custom_update_without_the_mark_gets_terms_added_first():
    """A user's _update that knows nothing of terms still sees the full gradient."""
    seen = []

    class Plain(optimizers.Optimizer):
        def _update(self, p, g, s, lr, t):
            seen.append(g.copy())
            p -= lr * g

    p = np.array([1.0, 2.0, 3.0])
    g = np.array([0.5, 0.5, 0.5])
    Plain().step([p], [g], [_PrefixL2(1.0, 2)])
    np.testing.assert_allclose(seen[0], [1.5, 2.5, 0.5])
    np.testing.assert_allclose(p, [1.0 - 1.5, 2.0 - 2.5, 3.0 - 0.5])


def test_gradient_terms_need_one_flat_array():
    opt = optimizers.get("adam")()
    with pytest.raises(ValueError, match="single flat parameter array"):
        opt.step(
            [np.zeros(3), np.zeros(2)], [np.zeros(3), np.zeros(2)], [_PrefixL2(1, 1)]
        )
    with pytest.raises(ValueError, match="single flat parameter array"):
        opt.step([np.zeros((2, 2))], [np.zeros((2, 2))], [_PrefixL2(1, 1)])
