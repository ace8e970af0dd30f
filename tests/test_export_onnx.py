"""ONNX export: onnxruntime's outputs against predict / predict_proba.

Every configuration fits a small network, exports it, runs the graph in
onnxruntime on held-out rows and compares: labels exactly, probabilities,
scores and regression outputs to 1e-5 (float32) or 1e-10 (float64). The
configurations are in ``_export_cases``; the API, pipeline and error tests in
``test_export_onnx_api``.
"""

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

from _export_cases import (
    CONFIGS,
    _check,
    _fit,
    _id,
)


def test_at_least_thirty_configurations():
    assert len(CONFIGS) >= 30


@pytest.mark.parametrize("config", CONFIGS, ids=_id)
def test_onnxruntime_matches_predict(config):
    est, X = _fit(*config)
    _check(est, X, config)


# snapshot ensembles with batch norm: each member with its own running
# statistics; settings where predict averages several weight sets
SNAPSHOT_BN = [
    (("clf", "multiclass", "log_loss", "silu", True, 0.0, True, np.float32), {}),
    (("clf", "multiclass", "log_loss", "silu", True, 0.0, True, np.float64), {}),
    (("clf", "binary", "log_loss", "gelu", True, 0.0, True, np.float64), {}),
    (
        (
            "clf",
            "multiclass_str",
            "log_loss",
            ["tanh", "softplus"],
            True,
            0.0,
            True,
            np.float64,
        ),
        {},
    ),
    (
        ("reg", "single", "squared_error", "elu", True, 0.0, True, np.float64),
        {"learning_rate_init": 0.1},
    ),
    (
        ("reg", "poisson", "poisson", "elu", True, 0.0, True, np.float64),
        {"learning_rate_init": 0.1},
    ),
]


@pytest.mark.parametrize(
    ("config", "overrides"), SNAPSHOT_BN, ids=[_id(c) for c, _ in SNAPSHOT_BN]
)
def test_snapshot_ensemble_with_batch_norm(config, overrides):
    est, X = _fit(*config, **overrides)
    assert est.ensemble_size_ >= 2  # the export must average several members
    _check(est, X, config)
