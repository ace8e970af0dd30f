"""sklearn-adamlp: a drop-in, faster scikit-learn MLP with modern optimization."""

from sklearn_adamlp._estimators import MLPClassifier, MLPRegressor
from sklearn_adamlp._jit import describe as jit_status
from sklearn_adamlp._jit import set_enabled as set_jit
from sklearn_adamlp._version import __version__

__all__ = ["MLPClassifier", "MLPRegressor", "__version__", "jit_status", "set_jit"]
