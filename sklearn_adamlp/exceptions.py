"""Warnings and errors of sklearn-adamlp that users may want to filter or catch."""

from __future__ import annotations

from sklearn.exceptions import InconsistentVersionWarning as _SklearnVersionWarning


class InconsistentVersionWarning(_SklearnVersionWarning):
    """A model saved by another sklearn-adamlp version was loaded.

    A subclass of scikit-learn's ``InconsistentVersionWarning``, so a filter on
    that class (``warnings.simplefilter("error", InconsistentVersionWarning)``
    with scikit-learn's class) also catches loads across sklearn-adamlp
    versions.

    Parameters
    ----------
    estimator_name : str
        Class name of the loaded estimator.
    current_version : str
        The sklearn-adamlp version doing the loading.
    original_version : str
        The version that saved the model (``"unknown"`` for models saved
        before the version was recorded).

    Attributes
    ----------
    original_sklearn_version, current_sklearn_version : str
        The two sklearn-adamlp versions, under the names of scikit-learn's
        attributes.
    """

    def __init__(
        self, *, estimator_name: str, current_version: str, original_version: str
    ) -> None:
        super().__init__(
            estimator_name=estimator_name,
            current_sklearn_version=current_version,
            original_sklearn_version=original_version,
        )

    def __str__(self) -> str:
        return (
            f"Trying to load {self.estimator_name} saved by sklearn-adamlp "
            f"{self.original_sklearn_version} with sklearn-adamlp "
            f"{self.current_sklearn_version}. The fitted state is restored, but "
            "this is not tested across versions; refit, or load it with the "
            "version that saved it, for guaranteed results."
        )


__all__ = ["InconsistentVersionWarning"]
