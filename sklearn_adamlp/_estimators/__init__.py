"""The scikit-learn estimators."""

from sklearn_adamlp._estimators._classifier import MLPClassifier
from sklearn_adamlp._estimators._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]
