"""One small name -> object table, used by every family (optimizers, losses, ...).

The one way to register: decorate the class with ``REGISTRY.register("name")``::

    @OPTIMIZERS.register("adam")
    class Adam(Optimizer): ...

    @ACTIVATIONS.register("relu")
    class ReLU(Activation): ...

A family of classes (optimizers, schedules, initializers, parallel strategies)
stores the class. A family of stateless objects (activations, losses:
``Registry(kind, instances=True)``) stores one instance of the class made with
its defaults; the same decorator call also takes an instance, to register a
configured one (``activations.register("leaky_0.2")(LeakyReLU(0.2))``).

The one way to make an object: ``REGISTRY.build(spec, **kwargs)``.

- a name: its registered class called with the ``kwargs`` the class accepts,
  or the registered stateless instance itself;
- a class: called the same way;
- an object: a fresh, unfitted copy with the same hyper-parameters (nested
  ``get_params`` objects copied too, other values deep-copied); the user's
  object is never modified.

The result's hyper-parameters are then checked (``Parametrized._validate_params``,
scikit-learn's ``_parameter_constraints``), so a bad value raises when the fit
builds the object, with an error naming the class and the parameter.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, KeysView
from typing import Any


class Registry:
    """Name -> entry table for one family (optimizers, initializers, ...).

    Parameters
    ----------
    kind : str
        What the entries are, used in error messages ("optimizer", "activation").
    instances : bool, default=False
        Whether the family holds stateless instances (activations, losses):
        registering a class then stores ``cls()``, and ``build(name)`` returns
        that instance instead of a new object.
    """

    def __init__(self, kind: str, *, instances: bool = False) -> None:
        self.kind = kind
        self.instances = instances
        self._entries: dict[str, Any] = {}

    def register(self, name: str, *, overwrite: bool = False) -> Callable[[Any], Any]:
        """Return a decorator that registers its argument under ``name``.

        The decorator returns its argument unchanged, so it decorates a class.

        Parameters
        ----------
        name : str
            Lower snake_case name; an existing name raises unless ``overwrite``.
        overwrite : bool, default=False
            Replace an existing entry of the same name.
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"A {self.kind} name must be a non-empty string.")

        def decorator(obj: Any) -> Any:
            if name in self._entries and not overwrite:
                raise ValueError(
                    f"{self.kind} {name!r} is already registered; "
                    "pass overwrite=True to replace it."
                )
            self._entries[name] = (
                obj() if self.instances and isinstance(obj, type) else obj
            )
            return obj

        return decorator

    def unregister(self, name: str) -> None:
        """Remove ``name`` (used by tests and by users replacing an entry)."""
        self._entries.pop(name, None)

    def get(self, spec: Any) -> Any:
        """Return the registered entry for a name; anything else unchanged.

        A look-up (what does this name stand for?); ``build`` makes objects.
        """
        if not isinstance(spec, str):
            return spec
        try:
            return self._entries[spec]
        except KeyError:
            names = ", ".join(self.available())
            raise ValueError(
                f"Unknown {self.kind} {spec!r}. Available: {names}"
            ) from None

    def build(self, spec: Any, **kwargs: Any) -> Any:
        """Return a fresh, checked object for ``spec`` (a name, class or object).

        Parameters
        ----------
        spec : str, class or object
            A registered name, a class, or an object to copy.
        **kwargs
            Settings offered to a class (by name or given): those among its
            constructor parameters are passed, the others ignored (the
            estimator offers ``power_t`` to every schedule, 'invscaling' takes
            it). Ignored for objects.

        Returns
        -------
        object
            A new object (or a stateless family's registered instance) whose
            ``_validate_params()``, when it has one, passed.
        """
        entry = self.get(spec)
        if isinstance(entry, type):
            accepted: list[str] = getattr(entry, "_get_param_names", list)()
            out = entry(**{k: v for k, v in kwargs.items() if k in accepted})
        elif self.instances and isinstance(spec, str):
            out = entry
        else:
            out = fresh_copy(entry)
        validate = getattr(out, "_validate_params", None)
        if validate is not None:
            validate()
        return out

    def available(self) -> list[str]:
        """Sorted list of the registered names."""
        return sorted(self._entries)

    def names(self) -> KeysView[str]:
        """Live view of the names, for ``StrOptions`` (later registrations pass)."""
        return self._entries.keys()

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.available()})"


def fresh_copy(obj: Any) -> Any:
    """Return an unfitted copy of ``obj`` with the same hyper-parameters.

    ::

        fresh_copy(o) = type(o)(**{k: fresh_copy(v)
                                   for k, v in o.get_params(deep=False).items()})

    for an object with ``get_params`` (scikit-learn's ``clone``, without its
    estimator checks); ``copy.deepcopy`` for anything else (a class or a
    function is returned as is). Fitted state (names ending in ``_``) is not
    carried over, and ``obj`` is not modified.
    """
    if isinstance(obj, type) or not hasattr(obj, "get_params"):
        return copy.deepcopy(obj)
    params = obj.get_params(deep=False)
    return type(obj)(**{k: fresh_copy(v) for k, v in params.items()})
