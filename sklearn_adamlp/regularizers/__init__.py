"""Regularizers: penalties in the loss and transforms around each optimizer step.

Penalties (``penalty(w, gw, scale) -> loss`` on the flat weight slice) are part
of the objective, so they work with every solver, L-BFGS included:
``L2Penalty`` (``alpha``) and ``L1Penalty`` (``l1``). Step transforms
(``before_step(ctx)`` / ``after_step(ctx)``) run around each step of a stepping
optimizer: ``GradientClipping`` (``clip_norm``), ``GradientNoise``
(``gradient_noise``), ``DecoupledWeightDecay`` (``weight_decay``) and ``MaxNorm``
(``max_norm``). ``DecoupledWeightDecay`` is the one decoupled weight decay of
the package: ``AdamW`` (and any optimizer with ``weight_decay_mode =
'decoupled'``) applies it too. ``L2GradientTerm`` is the L2 penalty's gradient
(and an optimizer's L2-coupled ``weight_decay``), handed to ``Optimizer.step``
as its ``terms`` argument. See docs/regularization.md.
"""

from sklearn_adamlp.regularizers._linalg import add_scaled, axpy, nrm2
from sklearn_adamlp.regularizers._penalties import (
    L1Penalty,
    L2GradientTerm,
    L2Penalty,
    WeightDecayTerm,  # noqa: F401  (the former name, importable still)
    penalties,
)
from sklearn_adamlp.regularizers._transforms import (
    STEP_PARAMS,
    DecoupledWeightDecay,
    GradientClipping,
    GradientNoise,
    MaxNorm,
    StepTransform,
    active_step_params,
    step_transforms,
)

__all__ = [
    "STEP_PARAMS",
    "DecoupledWeightDecay",
    "GradientClipping",
    "GradientNoise",
    "L1Penalty",
    "L2GradientTerm",
    "L2Penalty",
    "MaxNorm",
    "StepTransform",
    "active_step_params",
    "add_scaled",
    "axpy",
    "nrm2",
    "penalties",
    "step_transforms",
]
