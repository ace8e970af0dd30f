"""The only module that imports scikit-learn's private helpers.

Keeping them here means a change in scikit-learn's private API is fixed in one
place. The private ones are re-exported under public names, which the rest of the
package uses:

- ``fit_context``: ``sklearn.base._fit_context``;
- ``check_sample_weight``: ``sklearn.utils.validation._check_sample_weight``;
- ``check_optimize_result``: ``sklearn.utils.optimize._check_optimize_result``;
- ``check_partial_fit_first_call``:
  ``sklearn.utils.multiclass._check_partial_fit_first_call``;
- ``HasMethods``, ``Interval``, ``Options``, ``StrOptions``: from
  ``sklearn.utils._param_validation``;
- ``BaseSearchCV``: ``sklearn.model_selection._search.BaseSearchCV``.
"""

from sklearn.base import _fit_context as fit_context

try:  # scikit-learn >= 1.9 (its _fit_context tears the callbacks down)
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn: no callback API

    class CallbackSupportMixin:  # type: ignore[no-redef]
        """Stand-in for scikit-learn < 1.9, which has no callback API."""


from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call as check_partial_fit_first_call,
)
from sklearn.utils.optimize import _check_optimize_result as check_optimize_result
from sklearn.utils.validation import (
    _check_sample_weight as check_sample_weight,
)
from sklearn.utils.validation import (
    check_is_fitted,
    validate_data,
)

__all__ = [
    "BaseSearchCV",
    "CallbackSupportMixin",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "Options",
    "StrOptions",
    "check_is_fitted",
    "check_optimize_result",
    "check_partial_fit_first_call",
    "check_sample_weight",
    "fit_context",
    "validate_data",
    "validate_parameter_constraints",
]
