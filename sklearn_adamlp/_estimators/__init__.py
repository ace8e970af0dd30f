"""The scikit-learn estimators, and read access to their working parts.

``fitted_parts(est)`` and ``checked_X(est, X)`` are how the package's other
modules (inspection, export, plotting) read a fitted estimator's network,
parameter buffer and input checks, instead of its private attributes.
"""

from sklearn_adamlp._estimators._classifier import MLPClassifier
from sklearn_adamlp._estimators._parts import FittedParts, checked_X, fitted_parts
from sklearn_adamlp._estimators._regressor import MLPRegressor

__all__ = ["FittedParts", "MLPClassifier", "MLPRegressor", "checked_X", "fitted_parts"]
