"""Optimizer paths on four 2-D functions: a valley, a plateau, a saddle, a ravine

Each panel runs some of the package's optimizers (their own ``step`` code,
as in training) from the same start and draws the paths over the contours with
``OptimizerPathDisplay``:

- Rosenbrock's banana valley: plain gradient descent crawls along the valley
  floor; momentum and Adam follow it; L-BFGS reaches the minimum in a few
  dozen iterations;
- Beale's function: flat plateaus and steep walls;
- the saddle ``x² - y²`` from just off the ridge: plain gradient descent
  lingers near the saddle point (its gradient vanishes there) before it
  escapes; the adaptive methods leave at once;
- the ravine ``(x² + 100 y²) / 2`` (condition number 100): gradient descent
  zig-zags across the narrow direction and crawls along the long one, momentum
  and the per-coordinate methods do not.

The default learning rates suit each function and optimizer kind (see
``OptimizerPathDisplay``); the script prints where each path ends.

    python examples/optimizer_paths.py [--quick] [--out FILE.png]

``--quick`` draws a low-resolution figure (the paths are cheap: 500 steps
either way).
"""

from __future__ import annotations

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from sklearn_adamlp.plotting import FUNCTIONS, OptimizerPathDisplay

PANELS = {
    "rosenbrock": ["sgd", "momentum", "rmsprop", "adam", "lbfgs"],
    "beale": ["sgd", "nesterov", "adagrad", "adam", "rprop"],
    "saddle": ["sgd", "momentum", "adagrad", "rmsprop", "adam"],
    "ravine": ["sgd", "momentum", "rmsprop", "adam"],
}
#: the ravine's gradient descent at a larger stable rate (1.9 / 100): the zig-zag
RATES = {"ravine": {"sgd": 0.019}}


def main(argv: list[str] | None = None) -> None:
    """Draw the four panels and print the end of every path."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="low-resolution PNG")
    parser.add_argument("--out", default="optimizer_paths.png", help="PNG to write")
    args = parser.parse_args(argv)
    steps = 500
    fig, axes = plt.subplots(2, 2, figsize=(14, 12))
    print("| function | optimizer | learning rate | steps | end point | f(end) |")
    print("|---|---|---:|---:|---|---:|")
    for ax, (function, names) in zip(axes.ravel(), PANELS.items(), strict=True):
        disp = OptimizerPathDisplay.from_optimizers(
            names,
            function=function,
            steps=steps,
            learning_rates=RATES.get(function),
            ax=ax,
        )
        f = FUNCTIONS[function].f
        for name, path in disp.paths.items():
            lr = disp.learning_rates[name]
            x, y = path[-1]
            print(
                f"| {function} | {name} | {'-' if lr is None else f'{lr:g}'} | "
                f"{len(path) - 1} | ({x:.3f}, {y:.3f}) | {f(x, y):.3g} |"
            )
    fig.suptitle(
        f"Paths of up to {steps} optimizer steps from the black dot "
        "(a path ends early where it leaves the view or L-BFGS converges)"
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=60 if args.quick else 90)
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
