"""Per-layer displays: histograms at one moment, statistics over epochs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sklearn_adamlp.inspection import trace_layers
from sklearn_adamlp.plotting._base import as_list, check_matplotlib, styles

#: quantity -> (LayerTrace attribute, axis label)
QUANTITIES = {
    "activations": ("activations", "activation value a = g(z)"),
    "pre_activations": ("pre_activations", "pre-activation z = a_prev W + b"),
    "gradients": (
        "grad_pre_activations",
        "gradient dL/dz of the mean loss",
    ),
}


class LayerHistogramDisplay:
    """Histograms of each layer's activations and back-propagated gradients.

    The figure of Glorot & Bengio (2010, figures 6 and 7): one panel per
    estimator and quantity, one histogram per layer, so that saturation (mass
    piled at the ends of the activation's range) and vanishing or exploding
    gradients (widths shrinking or growing from layer to layer) show at a
    glance. Several estimators (e.g. two initializations) share their bins, so
    their panels compare directly.

    Parameters
    ----------
    counts : dict of str to list of list of arrays
        ``counts[quantity][i][l]``: counts of estimator ``i``, layer ``l``.
    bin_edges : dict of str to array
        The bin edges of each quantity, shared by every estimator and layer.
    layer_names : list of str
    labels : list of str
        One per estimator.

    Attributes
    ----------
    axes_ : array of matplotlib Axes, shape (n_quantities, n_estimators)
    ax_ : matplotlib Axes
        The first panel.
    stairs_ : dict of str to list of list of StepPatch
        The drawn histograms, indexed like ``counts``.
    figure_ : matplotlib Figure
    """

    def __init__(
        self,
        *,
        counts: dict[str, list],
        bin_edges: dict[str, Any],
        layer_names: Sequence[str],
        labels: Sequence[str],
    ) -> None:
        self.counts = counts
        self.bin_edges = {q: np.asarray(e, dtype=float) for q, e in bin_edges.items()}
        self.layer_names = list(layer_names)
        self.labels = list(labels)

    @classmethod
    def from_estimators(
        cls,
        estimators: Sequence[Any],
        X: Any,
        y: Any = None,
        *,
        labels: Sequence[str] | None = None,
        quantities: Sequence[str] = ("activations", "gradients"),
        layers: str | Sequence[str] = "hidden",
        bins: int = 50,
        training: bool = False,
        random_state: Any = None,
        **plot_kwargs: Any,
    ) -> LayerHistogramDisplay:
        """Trace every estimator on ``(X, y)`` and plot the histograms.

        Parameters
        ----------
        estimators : list of fitted estimators (or one estimator)
        X, y : arrays
            The probe data; ``y`` is needed for the gradients.
        labels : list of str, default=None
            Panel titles; default: ``"estimator 1"``, ...
        quantities : list of str, default=("activations", "gradients")
            Rows of panels, from 'activations', 'pre_activations', 'gradients'.
        layers : "hidden", "all" or list of str, default="hidden"
            Layers by name (``"hidden 1"``, ..., ``"output"``).
        bins : int, default=50
            Bins over the common range of each quantity (for gradients, the
            central 99% of the values, so a few outliers do not flatten the
            rest).
        training, random_state
            Passed to :func:`sklearn_adamlp.inspection.trace_layers`.
        """
        check_matplotlib(f"{cls.__name__}.from_estimators")
        if not isinstance(estimators, (list, tuple)):
            estimators = [estimators]
        labels = as_list(labels, len(estimators), "labels")
        labels = [lab or f"estimator {i + 1}" for i, lab in enumerate(labels)]
        bad = [q for q in quantities if q not in QUANTITIES]
        if bad:
            raise ValueError(
                f"unknown quantities {bad}; choose from {list(QUANTITIES)}."
            )
        if "gradients" in quantities and y is None:
            raise ValueError("the gradients need y: pass the targets of X.")
        traces = [
            trace_layers(est, X, y, training=training, random_state=random_state)
            for est in estimators
        ]
        names = _select_layers(traces[0].layer_names, layers)
        index = [traces[0].layer_names.index(n) for n in names]
        counts, edges = {}, {}
        for q in quantities:
            arrays = [[getattr(t, QUANTITIES[q][0])[i] for i in index] for t in traces]
            edges[q] = _edges(arrays, bins, central=(q == "gradients"))
            counts[q] = [
                [np.histogram(a, bins=edges[q])[0] for a in per_est]
                for per_est in arrays
            ]
        disp = cls(counts=counts, bin_edges=edges, layer_names=names, labels=labels)
        return disp.plot(**plot_kwargs)

    def plot(self, ax: Any = None, *, log: bool = False) -> LayerHistogramDisplay:
        """Draw one panel per quantity (row) and estimator (column).

        Parameters
        ----------
        ax : array of Axes of shape (n_quantities, n_estimators), default=None
            As scikit-learn's ``PartialDependenceDisplay``: one Axes per panel;
            None makes a new figure.
        log : bool, default=False
            Log scale for the counts.
        """
        check_matplotlib(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.ticker import MaxNLocator

        quantities = list(self.counts)
        n_rows, n_cols = len(quantities), len(self.labels)
        axes = ax
        if axes is None:
            _, axes = plt.subplots(
                n_rows, n_cols, figsize=(4.5 * n_cols, 3.4 * n_rows),
                squeeze=False, sharey="row",
            )  # fmt: skip
        axes = np.asarray(axes).reshape(n_rows, n_cols)
        self.stairs_: dict[str, list] = {}
        for r, q in enumerate(quantities):
            self.stairs_[q] = []
            for c, label in enumerate(self.labels):
                ax = axes[r, c]
                drawn = []
                for counts, name, style in zip(
                    self.counts[q][c], self.layer_names, styles(), strict=False
                ):
                    drawn.append(
                        ax.stairs(
                            counts,
                            self.bin_edges[q],
                            label=name,
                            color=style["color"],
                            linestyle=style["linestyle"],
                            linewidth=1.3,
                        )
                    )
                self.stairs_[q].append(drawn)
                ax.set_title(f"{label}: {q.replace('_', '-')}", fontsize="medium")
                ax.set_xlabel(QUANTITIES[q][1])
                ax.xaxis.set_major_locator(MaxNLocator(5))
                if q == "gradients":
                    _power_of_ten_axis(ax, self.bin_edges[q], QUANTITIES[q][1])
                ax.set_ylabel("count (units x samples)")
                ax.tick_params(labelleft=True)  # every panel readable alone
                if log:
                    ax.set_yscale("log")
        axes[0, -1].legend(fontsize="small", title="layer")
        self.axes_, self.ax_, self.figure_ = axes, axes[0, 0], axes[0, 0].figure
        return self


class LayerStatsDisplay:
    """One statistic of every layer over the epochs of a recorded fit.

    Parameters
    ----------
    data : pandas.DataFrame
        Index: epoch; one column per layer.
    statistic : str

    Attributes
    ----------
    lines_ : dict of str to Line2D
        One line per layer.
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    """

    def __init__(self, *, data: Any, statistic: str) -> None:
        self.data = data
        self.statistic = statistic

    @classmethod
    def from_recorder(
        cls, recorder: Any, *, statistic: str = "std", **plot_kwargs: Any
    ) -> LayerStatsDisplay:
        """Plot ``statistic`` of a ``LayerStatsRecorder`` (its ``stats_``)."""
        check_matplotlib(f"{cls.__name__}.from_recorder")
        stats = getattr(recorder, "stats_", None)
        if stats is None or len(stats) == 0:
            raise ValueError(
                "the recorder has no statistics yet: pass it in callbacks= of a "
                "fit before plotting."
            )
        available = list(dict.fromkeys(stats["statistic"]))
        if statistic not in available:
            raise ValueError(
                f"unknown statistic {statistic!r}; the recorder has {available}."
            )
        rows = stats[stats["statistic"] == statistic]
        layer_order = list(dict.fromkeys(rows["layer"]))
        data = rows.pivot(index="epoch", columns="layer", values="value")
        disp = cls(data=data[layer_order], statistic=statistic)
        return disp.plot(**plot_kwargs)

    def plot(
        self, ax: Any = None, *, log: bool = False, legend: bool = True
    ) -> LayerStatsDisplay:
        """Draw one line per layer, each with its own dash and marker."""
        from sklearn_adamlp.plotting._base import get_axes

        ax = get_axes(ax, f"{type(self).__name__}.plot")
        self.lines_ = {}
        epochs = self.data.index.to_numpy()
        for layer, style in zip(self.data.columns, styles(len(epochs)), strict=False):
            (self.lines_[layer],) = ax.plot(
                epochs, self.data[layer].to_numpy(), label=layer, **style
            )
        ax.set(xlabel="epoch", ylabel=self.statistic.replace("_", " "))
        if log:
            ax.set_yscale("log")
        if legend:
            ax.legend(fontsize="small", title="layer")
        self.ax_, self.figure_ = ax, ax.figure
        return self


def _power_of_ten_axis(ax: Any, edges: np.ndarray, label: str) -> None:
    """Tick values in units of a power of ten named in the axis label.

    Gradients of a mean loss are tiny; matplotlib's offset text ("1e-4" at
    the end of the axis) collides with a long label.
    """
    from matplotlib.ticker import FuncFormatter

    top = float(np.max(np.abs(edges)))
    k = int(np.floor(np.log10(top))) if top > 0 else 0
    if -3 <= k <= 3:
        return
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v / 10.0**k:g}"))
    ax.set_xlabel(f"{label}, in units of 1e{k}")


def _select_layers(names: list[str], layers: str | Sequence[str]) -> list[str]:
    if layers == "hidden":
        return [n for n in names if n != "output"]
    if layers == "all":
        return list(names)
    if isinstance(layers, str):
        layers = [layers]
    unknown = [n for n in layers if n not in names]
    if unknown:
        raise ValueError(f"unknown layers {unknown}; the network has {names}.")
    return list(layers)


def _edges(arrays: list[list[np.ndarray]], bins: int, *, central: bool) -> np.ndarray:
    values = np.concatenate([np.ravel(a) for per in arrays for a in per])
    values = values[np.isfinite(values)]
    if central:
        hi = float(np.percentile(np.abs(values), 99.5)) or 1.0
        lo = -hi
    else:
        lo, hi = float(values.min()), float(values.max())
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, int(bins) + 1)
