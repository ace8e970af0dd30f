"""Seeing inside a fitted network: traces, training statistics, an LR finder.

- ``trace_layers``: every layer's pre-activations, activations and
  back-propagated gradients on some data, as a ``LayerTrace`` with a per-layer
  summary (``to_frame``: mean, std, saturated and dead fractions, norms);
- ``LayerStatsRecorder``: a callback recording those statistics, and the
  update-to-weight ratio, during training;
- ``find_lr``: the learning-rate range test (Smith 2017), as an
  ``LRFinderResult``.

See docs/inspection.md.
"""

from sklearn_adamlp.inspection._lr_finder import LRFinderResult, find_lr
from sklearn_adamlp.inspection._recorder import LayerStatsRecorder
from sklearn_adamlp.inspection._trace import LayerTrace, trace_layers

__all__ = [
    "LRFinderResult",
    "LayerStatsRecorder",
    "LayerTrace",
    "find_lr",
    "trace_layers",
]
