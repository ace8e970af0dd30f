"""Penalties and step transforms on their own: gradients, equations, statistics."""

from types import SimpleNamespace

import numpy as np
import pytest

from sklearn_adamlp import activations, losses
from sklearn_adamlp.network import Network
from sklearn_adamlp.regularizers import (
    DecoupledWeightDecay,
    GradientClipping,
    GradientNoise,
    L1Penalty,
    L2Penalty,
    MaxNorm,
    active_step_params,
    penalties,
    step_transforms,
)

H = 1e-4  # five-point stencil; every weight is kept > 10 * H away from 0 (L1 kink)


def _smooth_net(pens, weighted, seed=0):
    loss = losses.get("squared_error").specialize("continuous")
    tanh = activations.get("tanh")
    net = Network([4, 5, 3, 2], [tanh, tanh], loss, dtype=np.float64, penalties=pens)
    rng = np.random.default_rng(seed)
    flat = rng.normal(scale=0.7, size=net.layout.n_params)
    w = flat[net.layout.weights]
    w += np.sign(w) * 0.05  # away from the kink of |w|
    X = rng.normal(size=(10, 4))
    Y = rng.normal(size=(10, 2))
    sw = rng.uniform(0.5, 2.0, size=10) if weighted else None
    return net, flat, X, Y, sw


def _max_relative_error(net, flat, X, Y, sw):
    grad = np.empty_like(flat)
    net.loss_grad(flat, grad, X, Y, sw)
    scratch = np.empty_like(flat)
    fd = np.empty_like(flat)
    for i in range(flat.size):
        p = flat.copy()
        vals = []
        for step in (2 * H, H, -H, -2 * H):
            p[i] = flat[i] + step
            vals.append(net.loss_grad(p, scratch, X, Y, sw))
        fd[i] = (-vals[0] + 8 * vals[1] - 8 * vals[2] + vals[3]) / (12 * H)
    scale = np.maximum(np.maximum(np.abs(grad), np.abs(fd)), 1e-4)
    return float(np.max(np.abs(grad - fd) / scale))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    ("alpha", "l1"), [(0.0, 0.7), (0.3, 0.7)], ids=["l1", "elastic_net"]
)
def test_l1_and_elastic_net_gradient_finite_differences(alpha, l1, weighted):
    net, flat, X, Y, sw = _smooth_net(penalties(alpha, l1), weighted)
    assert np.abs(flat[net.layout.weights]).min() > 10 * H
    assert _max_relative_error(net, flat, X, Y, sw) < 1e-6


def test_l1_penalty_value_and_subgradient():
    w = np.array([-2.0, 0.0, 0.5, 3.0])
    gw = np.ones(4)
    loss = L1Penalty(0.4)(w, gw, 0.25)
    assert loss == pytest.approx(0.4 * 0.25 * 5.5)
    np.testing.assert_allclose(gw, 1 + 0.1 * np.array([-1, 0, 1, 1]))
    assert L1Penalty(0.0)(w, gw, 0.25) == 0.0


def test_elastic_net_adds_both_terms():
    rng = np.random.default_rng(1)
    w, scale = rng.normal(size=50), 0.1
    gw = np.zeros(50)
    loss = sum(p(w, gw, scale) for p in penalties(0.3, 0.2))
    expected = 0.5 * 0.3 * scale * w @ w + 0.2 * scale * np.abs(w).sum()
    assert loss == pytest.approx(expected)
    np.testing.assert_allclose(gw, 0.3 * scale * w + 0.2 * scale * np.sign(w))


def test_penalties_list_omits_zero_l1():
    assert [type(p) for p in penalties(0.1)] == [L2Penalty]
    assert [type(p) for p in penalties(0.1, 0.2)] == [L2Penalty, L1Penalty]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_penalties_keep_dtype_and_reuse_scratch(dtype):
    w = np.linspace(-1, 1, 7).astype(dtype)
    gw = np.zeros_like(w)
    pen = L1Penalty(np.float64(0.5))  # a numpy scalar must not upcast float32
    pen(w, gw, 0.5)
    buf = pen._scratch
    pen(w, gw, 0.5)
    assert pen._scratch is buf
    assert gw.dtype == dtype
    assert buf.dtype == dtype


# --- step transforms on a stand-in context ------------------------------------


def _ctx(units=(3, 4, 2), dtype=np.float64, seed=0, steps=0):
    loss = losses.get("squared_error").specialize("continuous")
    acts = [activations.get("tanh")] * (len(units) - 2)
    net = Network(list(units), acts, loss, dtype=dtype)
    rng = np.random.default_rng(seed)
    flat = rng.normal(scale=2.0, size=net.layout.n_params).astype(dtype)
    return SimpleNamespace(
        network=net,
        flat=flat,
        grad=rng.normal(size=flat.size).astype(dtype),
        state=SimpleNamespace(steps=steps),
        rng=np.random.RandomState(seed),
    )


def test_max_norm_projects_columns_and_leaves_biases():
    ctx = _ctx(units=(6, 5, 3))
    lay = ctx.network.layout
    before = ctx.flat.copy()
    W0, _ = lay.views(before)
    c = 1.5
    MaxNorm(c).after_step(ctx, 0.1)
    W, _ = lay.views(ctx.flat)
    for w0, w in zip(W0, W, strict=True):
        n0 = np.linalg.norm(w0, axis=0)
        expected = w0 * np.minimum(1.0, c / n0)
        np.testing.assert_allclose(w, expected, rtol=1e-14)
        assert (np.linalg.norm(w, axis=0) <= c + 1e-12).all()
    assert (np.linalg.norm(W0[0], axis=0) > c).any()  # the constraint was active
    np.testing.assert_array_equal(ctx.flat[lay.biases], before[lay.biases])


def test_decoupled_weight_decay_formula_biases_exempt():
    ctx = _ctx()
    lay = ctx.network.layout
    before = ctx.flat.copy()
    DecoupledWeightDecay(0.2).after_step(ctx, 0.05)  # the step's rate: 0.05
    np.testing.assert_allclose(
        ctx.flat[lay.weights], before[lay.weights] * (1 - 0.05 * 0.2), rtol=1e-15
    )
    np.testing.assert_array_equal(ctx.flat[lay.biases], before[lay.biases])


def test_clipping_scales_down_only_above_the_threshold():
    ctx = _ctx()
    g0 = ctx.grad.copy()
    n0 = np.linalg.norm(g0)
    GradientClipping(n0 * 2).before_step(ctx, 0.1)
    np.testing.assert_array_equal(ctx.grad, g0)  # below c: untouched
    GradientClipping(n0 / 4).before_step(ctx, 0.1)
    assert np.linalg.norm(ctx.grad) == pytest.approx(n0 / 4, rel=1e-14)
    np.testing.assert_allclose(ctx.grad, g0 / 4, rtol=1e-14)  # same direction


@pytest.mark.parametrize("t", [0, 9, 999])
def test_gradient_noise_variance_follows_the_schedule(t):
    eta, n = 0.3, 400_000
    ctx = _ctx(steps=t)
    ctx.grad = np.zeros(n)
    GradientNoise(eta).before_step(ctx, 0.1)
    expected = eta / (1 + t) ** 0.55
    # the sample variance of n normals has relative sd sqrt(2 / n) ~ 0.22%
    assert ctx.grad.var() == pytest.approx(expected, rel=0.015)
    assert abs(ctx.grad.mean()) < 5 * np.sqrt(expected / n)


def test_gradient_noise_reproducible_float32_and_buffer_reused():
    def draws(seed):
        ctx = _ctx(dtype=np.float32, seed=seed)
        ctx.grad[...] = 0
        noise = GradientNoise(0.5)
        out = []
        for t in range(3):
            ctx.state.steps = t
            noise.before_step(ctx, 0.1)
            out.append(ctx.grad.copy())
            assert ctx.grad.dtype == np.float32
        buf = noise._scratch
        noise.before_step(ctx, 0.1)
        assert noise._scratch is buf
        return np.array(out)

    a, b, c = draws(0), draws(0), draws(1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a[1] - a[0], a[2] - a[1])  # fresh noise each step


def test_step_transform_selection_and_order():
    assert active_step_params({}) == []
    params = {
        "weight_decay": 0.1,
        "max_norm": 2.0,
        "clip_norm": 1.0,
        "gradient_noise": 0.01,
    }
    kinds = [type(t) for t in step_transforms(params)]
    assert kinds == [GradientClipping, GradientNoise, DecoupledWeightDecay, MaxNorm]
    off = {"weight_decay": 0.0, "max_norm": None, "clip_norm": None}
    assert step_transforms({**off, "gradient_noise": 0}) == []


def test_l2_grad_term_is_the_penalty_gradient_block_by_block():
    rng = np.random.default_rng(0)
    flat = rng.normal(size=13)  # 10 weights, then 3 biases
    pen = L2Penalty(0.3)
    g_direct = np.zeros(13)
    loss = pen(flat[:10], g_direct[:10], 0.5)
    term = pen.grad_term(0.5, 10)
    g_blocks = np.zeros(13)
    for b in (slice(0, 4), slice(4, 8), slice(8, 13)):  # the last one straddles
        term(flat, g_blocks, b)
    np.testing.assert_allclose(g_blocks, g_direct, rtol=1e-15)
    np.testing.assert_allclose(g_direct[:10], 0.3 * 0.5 * flat[:10])
    assert pen.value(flat[:10], 0.5) == pytest.approx(loss, rel=1e-15)
    assert L2Penalty(0.0).grad_term(0.5, 10) is None
