"""Figures of training and of the techniques of the course notes.

scikit-learn's Display pattern: each class computes its data in a
``from_*`` constructor, keeps it on the object and draws it with ``plot(ax=None)``,
leaving ``figure_`` and ``ax_`` behind. matplotlib is the optional ``plot``
extra (``pip install "sklearn-adamlp[plot]"``); without it the displays raise
an ``ImportError`` that says so. This package imports matplotlib only inside
the methods that draw.

- :class:`LossCurveDisplay`: losses, validation score and learning rate per epoch.
- :class:`LayerHistogramDisplay`: per-layer activations and gradients.
- :class:`LayerStatsDisplay`: a recorded per-layer statistic over epochs.
- :class:`OptimizerPathDisplay`: optimizer paths on 2-D test functions.
- :class:`ScheduleDisplay`: learning-rate schedules.
- :class:`LRFinderDisplay`: the learning-rate range test.
"""

from sklearn_adamlp.plotting._functions import FUNCTIONS, TestFunction
from sklearn_adamlp.plotting._layers import LayerHistogramDisplay, LayerStatsDisplay
from sklearn_adamlp.plotting._loss_curve import LossCurveDisplay
from sklearn_adamlp.plotting._lr_finder import LRFinderDisplay
from sklearn_adamlp.plotting._optimizer_path import OptimizerPathDisplay
from sklearn_adamlp.plotting._schedule import ScheduleDisplay

__all__ = [
    "FUNCTIONS",
    "LRFinderDisplay",
    "LayerHistogramDisplay",
    "LayerStatsDisplay",
    "LossCurveDisplay",
    "OptimizerPathDisplay",
    "ScheduleDisplay",
    "TestFunction",
]
