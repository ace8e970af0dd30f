"""Without matplotlib the displays say which extra to install."""

import builtins
import sys

import pytest

from sklearn_adamlp import plotting


@pytest.fixture
def no_matplotlib(monkeypatch):
    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    for mod in [
        m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")
    ]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setattr(builtins, "__import__", fake_import)


@pytest.mark.parametrize(
    "call",
    [
        lambda: plotting.OptimizerPathDisplay.from_optimizers(["sgd"], steps=2),
        lambda: plotting.ScheduleDisplay.from_schedules("cosine", epochs=5),
        lambda: plotting.LossCurveDisplay.from_estimator(object()),
        lambda: plotting.LayerHistogramDisplay.from_estimators([object()], [[0.0]]),
        lambda: plotting.LayerStatsDisplay.from_recorder(object()),
        lambda: plotting.LRFinderDisplay.from_result(object()),
        lambda: plotting.LRFinderDisplay(learning_rates=[1], losses=[1]).plot(),
    ],
)
def test_import_error_names_the_extra(no_matplotlib, call):
    with pytest.raises(ImportError, match=r'pip install "sklearn-adamlp\[plot\]"'):
        call()


def test_the_package_imports_without_matplotlib(no_matplotlib, monkeypatch):
    import importlib

    for mod in [m for m in sys.modules if m.startswith("sklearn_adamlp.plotting")]:
        monkeypatch.delitem(sys.modules, mod)
    module = importlib.import_module("sklearn_adamlp.plotting")
    assert hasattr(module, "LossCurveDisplay")
