"""sklearn-adamlp: a drop-in, faster scikit-learn MLP with modern optimization."""

from sklearn_adamlp._estimators import MLPClassifier, MLPRegressor

__version__ = "0.1.0"

__all__ = ["MLPClassifier", "MLPRegressor", "__version__"]
