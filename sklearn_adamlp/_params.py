"""``get_params``/``set_params``/``repr`` and parameter checks for small objects.

scikit-learn's ``clone`` and ``GridSearchCV`` only need ``get_params(deep)`` and
``set_params(**params)``; deriving them from the ``__init__`` signature (as sklearn's
``Kernel`` does) makes any object with that mixin tunable as ``solver__beta_1``.

Hyper-parameters are checked the way scikit-learn checks an estimator's: each
class declares ``_parameter_constraints`` (``Interval``, ``StrOptions``, types,
None, ...) and ``_validate_params()`` checks the stored values against them when
the object is built for a fit (``Registry.build``), never in ``__init__``.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar, NoReturn

import numpy as np

from sklearn_adamlp._validation import (
    Interval,
    InvalidParameterError,
    Options,
    validate_parameter_constraints,
)


class Parametrized:
    """Mixin giving sklearn's parameter protocol to non-estimator objects.

    Follows the estimator constructor rules: ``__init__`` stores its arguments
    verbatim under the same names; fitted state ends with ``_``, so ``clone``
    copies hyper-parameters and never state.
    """

    #: sorted ``__init__`` parameter names, set on each class at first use
    _param_names_cache: ClassVar[tuple[str, ...]]

    #: parameter name -> list of allowed values, in scikit-learn's vocabulary
    #: (``Interval``, ``StrOptions``, ``Options``, a type, None, "boolean",
    #: ...); a value is valid if it satisfies any entry. Every ``__init__``
    #: parameter of a registered class has an entry (tested).
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {}

    @classmethod
    def _get_param_names(cls) -> list[str]:
        # cached per class: inspect.signature costs ~30 us, paid on every fit
        # (and every partial_fit) when the optimizer is built
        cached = cls.__dict__.get("_param_names_cache")
        if cached is None:
            cached = cls._param_names_cache = tuple(cls._signature_names())
        return list(cached)

    @classmethod
    def _signature_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self":
                continue
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                raise TypeError(
                    f"{cls.__name__}.__init__ may not take *args or **kwargs: "
                    "parameters must be named to be cloned and tuned."
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Return the constructor parameters (nested ones too when ``deep``)."""
        out: dict[str, Any] = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                for key, sub in value.get_params().items():
                    out[f"{name}__{key}"] = sub
            out[name] = value
        return out

    def set_params(self, **params: Any) -> Parametrized:
        """Set constructor parameters (``name`` or ``name__sub``); return self."""
        valid = self._get_param_names()
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            name, delim, sub = key.partition("__")
            if name not in valid:
                raise ValueError(
                    f"Invalid parameter {name!r} for {type(self).__name__}. "
                    f"Valid parameters are: {valid}."
                )
            if delim:
                nested.setdefault(name, {})[sub] = value
            else:
                setattr(self, name, value)
        for name, sub_params in nested.items():
            getattr(self, name).set_params(**sub_params)
        return self

    def _validate_params(self) -> None:
        """Raise ``InvalidParameterError`` (a ``ValueError``) for a bad parameter.

        Checks every parameter against ``_parameter_constraints``, as
        scikit-learn's estimators do at fit, then the parameters that are
        themselves ``Parametrized`` (a schedule wrapped by ``Warmup``). A bool
        is refused where only numbers are allowed (``n_workers=True``). A
        class with rules between parameters extends this method and raises
        through ``invalid_parameter``.
        """
        params = self.get_params(deep=False)
        key = _plain_key(type(self), params)
        if key is not None and key in _PASSED:
            return  # every fit and partial_fit builds its optimizer: ~30 us saved
        constraints = self._parameter_constraints
        validate_parameter_constraints(constraints, params, type(self).__name__)
        for name, value in params.items():
            if isinstance(value, bool | np.bool_) and _numbers_only(
                constraints.get(name)
            ):
                invalid_parameter(self, name, "a number, not a bool", value)
            if isinstance(value, Parametrized):
                value._validate_params()
        if key is not None:
            if len(_PASSED) >= _PASSED_MAX:
                _PASSED.clear()
            _PASSED.add(key)

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        parts = []
        for name in self._get_param_names():
            value = getattr(self, name)
            default = sig.parameters[name].default
            if default is inspect.Parameter.empty or _differs(value, default):
                parts.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


def _differs(value: Any, default: Any) -> bool:
    try:
        return bool(value != default)
    except (ValueError, TypeError):  # arrays and odd objects: show them
        return True


#: ``(class, parameters)`` that passed ``_validate_params``: plain values only
#: (numbers, strings, None), whose check cannot change; NaN never matches
_PASSED: set[tuple] = set()
_PASSED_MAX = 4096
_PLAIN = (int, float, str, bool, type(None), np.number, np.bool_)


def _plain_key(cls: type, params: dict[str, Any]) -> tuple | None:
    """Return a hashable key of ``params`` if every value is plain, else None.

    The key holds each value's type as well (``1``, ``1.0`` and ``True`` are
    equal and hash alike, but the constraints tell them apart).
    """
    items = []
    for name, value in params.items():
        if not isinstance(value, _PLAIN):
            return None
        items.append((name, type(value), value))
    return (cls, tuple(items))


def invalid_parameter(obj: Any, name: str, must_be: str, value: Any) -> NoReturn:
    """Raise scikit-learn's ``InvalidParameterError`` for ``obj.<name>``.

    The message has scikit-learn's form: "The 'name' parameter of Class must
    be <must_be>. Got <value> instead."
    """
    raise InvalidParameterError(
        f"The {name!r} parameter of {type(obj).__name__} must be {must_be}. "
        f"Got {value!r} instead."
    )


def _numbers_only(constraints: list[Any] | None) -> bool:
    """Whether ``constraints`` allow numbers but no bool (no "boolean", no bool)."""
    if not constraints:
        return False
    if any(
        (isinstance(c, str) and c == "boolean") or c in (bool, object)
        for c in constraints
    ):
        return False
    return any(isinstance(c, Interval | Options) for c in constraints)
