"""The estimator options of ``train`` and the model they build.

The model is a scikit-learn ``Pipeline``: a ``ColumnTransformer`` that
standardizes the numeric columns (``StandardScaler``, ``z = (x - mean) / std``
on the training rows; ``--no-scale`` passes them through) and, with
``--one-hot``, one-hot encodes the text columns (``OneHotEncoder``, unknown
categories at prediction time encode as all zeros), then the MLP.
"""

from __future__ import annotations

import argparse
from typing import Any

from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_adamlp import MLPClassifier, MLPRegressor, activations, optimizers
from sklearn_adamlp.cli._common import (
    CliError,
    batch_size,
    layer_sizes,
    name_value,
    nonnegative_float,
    positive_float,
    positive_int,
)

ESTIMATORS = {"classify": MLPClassifier, "regress": MLPRegressor}


def add_estimator_options(parser: argparse.ArgumentParser) -> None:
    """Add the MLP's options (scikit-learn's names, dashes for underscores)."""
    group = parser.add_argument_group(
        "estimator options",
        "MLPClassifier / MLPRegressor parameters; scikit-learn's defaults "
        "unless stated",
    )
    add = group.add_argument
    add(
        "--hidden-layer-sizes",
        type=layer_sizes,
        default=(100,),
        metavar="N,N,...",
        help="neurons per hidden layer, comma-separated (default: 100)",
    )
    add(
        "--solver",
        choices=optimizers.available(),
        default="adam",
        metavar="NAME",
        help="optimizer, one of: %(choices)s (default: %(default)s)",
    )
    add(
        "--activation",
        choices=activations.available(),
        default="relu",
        metavar="NAME",
        help="hidden-layer activation, one of: %(choices)s (default: %(default)s)",
    )
    add(
        "--learning-rate-init",
        type=positive_float,
        default=0.001,
        metavar="LR",
        help="initial learning rate (default: %(default)s)",
    )
    add(
        "--max-iter",
        type=positive_int,
        default=200,
        metavar="N",
        help="maximum number of epochs (iterations for lbfgs, newton_cg, "
        "quickprop) (default: %(default)s)",
    )
    add(
        "--batch-size",
        type=batch_size,
        default="auto",
        metavar="N",
        help="mini-batch size, or 'auto' for min(200, n_samples) "
        "(default: %(default)s)",
    )
    add(
        "--alpha",
        type=nonnegative_float,
        default=0.0001,
        help="L2 penalty (default: %(default)s)",
    )
    add(
        "--early-stopping",
        action="store_true",
        help="stop when the score on the estimator's own validation split "
        "(10%% of the training rows) stops improving",
    )
    add(
        "--random-state",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the weights, shuffling and the validation split "
        "(default: %(default)s)",
    )
    add(
        "--param",
        type=name_value,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other estimator parameter, e.g. --param dropout=0.1 "
        "--param learning_rate=cosine; VALUE is a Python literal or a string; "
        "repeat for several",
    )
    add(
        "--one-hot",
        action="store_true",
        help="one-hot encode non-numeric feature columns (without it they are refused)",
    )
    add(
        "--no-scale",
        action="store_true",
        help="feed the numeric columns as they are instead of standardizing them",
    )


def build_estimator(args: argparse.Namespace, task: str) -> Any:
    """Build the MLP of ``task`` from the options; ``--param`` checked by name."""
    est = ESTIMATORS[task](
        hidden_layer_sizes=args.hidden_layer_sizes,
        solver=args.solver,
        activation=args.activation,
        learning_rate_init=args.learning_rate_init,
        max_iter=args.max_iter,
        batch_size=args.batch_size,
        alpha=args.alpha,
        early_stopping=args.early_stopping,
        random_state=args.random_state,
        verbose=0 if args.quiet else 2,
    )
    valid = est.get_params()
    for name, value in args.param:
        if name not in valid:
            raise CliError(
                f"--param {name}: {type(est).__name__} has no parameter {name!r}; "
                f"its parameters are: {', '.join(sorted(valid))}"
            )
        est.set_params(**{name: value})
    return est


def build_model(est: Any, numeric: list[str], text: list[str], scale: bool) -> Pipeline:
    """``Pipeline([('features', ColumnTransformer), ('mlp', est)])``."""
    parts = []
    if numeric:
        parts.append(("numeric", StandardScaler() if scale else "passthrough", numeric))
    if text:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
        parts.append(("one_hot", encoder, text))
    features = ColumnTransformer(parts, verbose_feature_names_out=False)
    return Pipeline([("features", features), ("mlp", est)])
