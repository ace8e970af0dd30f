"""One small name -> object table, used by every family (optimizers, losses, ...)."""

from __future__ import annotations

from collections.abc import Callable, KeysView
from typing import Any


class Registry:
    """Name -> object table for one family (optimizers, initializers, ...).

    Parameters
    ----------
    kind : str
        What the entries are, used in error messages ("optimizer", "activation").

    Notes
    -----
    Optimizers, initializers and schedules register a **class**; activations and
    losses register a stateless **instance**. ``get`` returns what was registered.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Any] = {}

    def register(self, name: str, *, overwrite: bool = False) -> Callable[[Any], Any]:
        """Return a decorator that registers its argument under ``name``.

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
            self._entries[name] = obj
            return obj

        return decorator

    def unregister(self, name: str) -> None:
        """Remove ``name`` (used by tests and by users replacing an entry)."""
        self._entries.pop(name, None)

    def get(self, spec: Any) -> Any:
        """Return the registered object for a name; anything else unchanged."""
        if not isinstance(spec, str):
            return spec
        try:
            return self._entries[spec]
        except KeyError:
            names = ", ".join(self.available())
            raise ValueError(
                f"Unknown {self.kind} {spec!r}. Available: {names}"
            ) from None

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
