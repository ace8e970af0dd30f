"""Test problems shared by the optimizer tests: a quadratic and Rosenbrock."""

import numpy as np

A = np.array([1.0, 2.0, 5.0, 10.0])
X0 = np.array([-1.2, 1.0, -0.5, 0.8])


def quadratic(x):
    """f = 0.5 * sum(a_i x_i**2) and its gradient a * x."""
    a = A.astype(x.dtype)
    return 0.5 * float(np.sum(a * x * x)), a * x


def rosenbrock(x):
    """Chained Rosenbrock sum((1 - x_i)**2 + 100 (x_{i+1} - x_i**2)**2)."""
    xi, xn = x[:-1], x[1:]
    f = float(np.sum((1 - xi) ** 2 + 100 * (xn - xi**2) ** 2))
    g = np.zeros_like(x)
    g[:-1] += -2 * (1 - xi) - 400 * xi * (xn - xi**2)
    g[1:] += 200 * (xn - xi**2)
    return f, g


PROBLEMS = {"quadratic": quadratic, "rosenbrock": rosenbrock}


def run(opt, problem, n_steps, x0=X0, dtype=np.float64):
    """Run ``n_steps`` of ``opt.step`` from ``x0``; return the final point."""
    x = np.array(x0, dtype=dtype)
    for _ in range(n_steps):
        _, g = problem(x)
        opt.step([x], [g])
    return x
