"""LayerHistogramDisplay counts are numpy's histograms of the traced arrays."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import MLPClassifier, initializers
from sklearn_adamlp.inspection import trace_layers
from sklearn_adamlp.plotting import LayerHistogramDisplay, LayerStatsDisplay


@pytest.fixture(scope="module")
def two_inits():
    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16.0, y[:200]
    ests = []
    for init in (initializers.LecunUniform(gain=3**-0.5), "glorot_uniform"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            ests.append(
                MLPClassifier((12, 12, 12), activation="tanh", init=init,
                              max_iter=2, random_state=0).fit(X, y)
            )  # fmt: skip
    return ests, X, y


def test_counts_are_numpy_histograms_of_the_trace(two_inits):
    ests, X, y = two_inits
    disp = LayerHistogramDisplay.from_estimators(
        ests, X, y, labels=["standard", "normalized"], bins=30
    )
    assert disp.layer_names == ["hidden 1", "hidden 2", "hidden 3"]
    assert list(disp.counts) == ["activations", "gradients"]
    for i, est in enumerate(ests):
        trace = trace_layers(est, X, y)
        for q, arrays in (
            ("activations", trace.activations),
            ("gradients", trace.grad_pre_activations),
        ):
            edges = disp.bin_edges[q]
            assert len(edges) == 31
            for l in range(3):
                expected, _ = np.histogram(arrays[l], bins=edges)
                np.testing.assert_array_equal(disp.counts[q][i][l], expected)
                drawn = disp.stairs_[q][i][l].get_data()
                np.testing.assert_array_equal(drawn.values, expected)
                np.testing.assert_array_equal(drawn.edges, edges)
    # activations: bins cover every value (tanh: within [-1, 1])
    acts = np.concatenate([a.ravel() for a in trace_layers(ests[0], X).activations[:3]])
    assert disp.bin_edges["activations"][0] <= acts.min()
    assert disp.counts["activations"][0][0].sum() == acts.size // 3
    assert disp.axes_.shape == (2, 2)
    assert disp.axes_[0, 0].get_title() == "standard: activations"
    # gradients of a mean loss are tiny: below 1e-3 the label names the
    # power of ten and the ticks show the values in its units
    edges = disp.bin_edges["gradients"]
    k = int(np.floor(np.log10(np.abs(edges).max())))
    label = disp.axes_[1, 0].get_xlabel()
    if -3 <= k <= 3:
        assert "units of" not in label
    else:
        assert label.endswith(f"in units of 1e{k}")
        fmt = disp.axes_[1, 0].xaxis.get_major_formatter()
        assert float(fmt(3 * 10.0**k, 0)) == 3.0


def test_tiny_gradients_get_a_power_of_ten_label():
    import matplotlib.pyplot as plt

    from sklearn_adamlp.plotting._layers import _power_of_ten_axis

    _, ax = plt.subplots()
    _power_of_ten_axis(ax, np.array([-8e-5, 8e-5]), "dL/dz")
    assert ax.get_xlabel() == "dL/dz, in units of 1e-5"
    assert ax.xaxis.get_major_formatter()(4e-5, 0) == "4"


def test_one_estimator_and_layer_selection(two_inits):
    ests, X, _y = two_inits
    disp = LayerHistogramDisplay.from_estimators(
        ests[0], X, quantities=["pre_activations"], layers=["output"]
    )
    z = trace_layers(ests[0], X).pre_activations[-1]
    expected, _ = np.histogram(z, bins=disp.bin_edges["pre_activations"])
    np.testing.assert_array_equal(disp.counts["pre_activations"][0][0], expected)


def test_bad_input_is_named(two_inits):
    ests, X, y = two_inits
    with pytest.raises(ValueError, match="need y"):
        LayerHistogramDisplay.from_estimators(ests, X)
    with pytest.raises(ValueError, match="unknown quantities"):
        LayerHistogramDisplay.from_estimators(ests, X, y, quantities=["weights"])
    with pytest.raises(ValueError, match="unknown layers"):
        LayerHistogramDisplay.from_estimators(ests, X, y, layers=["hidden 9"])
    with pytest.raises(ValueError, match="labels"):
        LayerHistogramDisplay.from_estimators(ests, X, y, labels=["one"])


def _stats():
    rows = [
        (epoch, layer, stat, value)
        for epoch in (1, 2, 3)
        for layer, scale in (("hidden 1", 1.0), ("output", 10.0))
        for stat, value in (("std", scale * epoch), ("saturated", 0.1 * epoch))
    ]
    return pd.DataFrame(rows, columns=["epoch", "layer", "statistic", "value"])


class _Recorder:  # the recorder's interface: a tidy stats_ frame
    stats_ = _stats()


def test_layer_stats_lines_are_the_recorded_values():
    disp = LayerStatsDisplay.from_recorder(_Recorder(), statistic="std")
    assert list(disp.lines_) == ["hidden 1", "output"]
    np.testing.assert_array_equal(disp.lines_["hidden 1"].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(disp.lines_["hidden 1"].get_ydata(), [1, 2, 3])
    np.testing.assert_array_equal(disp.lines_["output"].get_ydata(), [10, 20, 30])
    assert disp.ax_.get_ylabel() == "std"


def test_layer_stats_unknown_statistic_lists_the_recorded_ones():
    with pytest.raises(ValueError, match=r"\['std', 'saturated'\]"):
        LayerStatsDisplay.from_recorder(_Recorder(), statistic="mean")

    class Empty:
        stats_ = None

    with pytest.raises(ValueError, match="no statistics"):
        LayerStatsDisplay.from_recorder(Empty())


def test_layer_stats_from_a_real_recorder():
    from sklearn_adamlp.inspection import LayerStatsRecorder

    X, y = load_digits(return_X_y=True)
    X, y = X[:200] / 16.0, y[:200]
    rec = LayerStatsRecorder(X[:50], y[:50])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier((8, 8), max_iter=4, callbacks=[rec], random_state=0).fit(X, y)
    disp = LayerStatsDisplay.from_recorder(rec, statistic="grad_norm", log=True)
    stats = rec.stats_
    for layer, line in disp.lines_.items():
        rows = stats[(stats["layer"] == layer) & (stats["statistic"] == "grad_norm")]
        np.testing.assert_array_equal(line.get_xdata(), rows["epoch"])
        np.testing.assert_array_equal(line.get_ydata(), rows["value"])
    assert list(disp.lines_) == ["hidden 1", "hidden 2", "output"]
    assert disp.ax_.get_yscale() == "log"


def test_draws_on_given_axes(two_inits):
    import matplotlib.pyplot as plt

    ests, X, _ = two_inits
    fig, axes = plt.subplots(1, 2)
    disp = LayerHistogramDisplay.from_estimators(
        ests, X, quantities=["activations"], ax=axes, log=True
    )
    assert disp.figure_ is fig
    assert disp.axes_[0, 1] is axes[1]
    assert axes[1].get_yscale() == "log"
