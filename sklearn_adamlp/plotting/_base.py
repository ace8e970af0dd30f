"""What every display shares: the matplotlib check, axes creation, line styles."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

#: the message of the ImportError raised without matplotlib
INSTALL_HINT = 'pip install "sklearn-adamlp[plot]"'

#: (line style, marker) pairs, combined with the colour cycle, so that series
#: drawn on top of each other stay distinguishable in print and in grey scale
LINESTYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "v", "D", "P", "X", "*", "<", ">", "h", "p")


def check_matplotlib(caller: str) -> None:
    """Raise ``ImportError`` naming the ``plot`` extra when matplotlib is missing.

    Parameters
    ----------
    caller : str
        The display method that needs matplotlib, quoted in the message.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, the optional 'plot' extra of "
            f"sklearn-adamlp. Install it with: {INSTALL_HINT}"
        ) from exc


def get_axes(ax: Any = None, caller: str = "plot") -> Any:
    """Return ``ax``, or the axes of a new figure when ``ax`` is None."""
    check_matplotlib(caller)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def styles(n_points: int = 0) -> Iterator[dict[str, Any]]:
    """Yield matplotlib line keywords, each with its own colour, dash and marker.

    Colours follow the default ``tab10`` cycle; the line style and the marker
    change with every series (the marker is drawn every ``n_points // 8`` points,
    so it labels a line without hiding its shape).
    """
    import matplotlib.pyplot as plt

    colors = plt.get_cmap("tab10").colors  # type: ignore[attr-defined]
    every = max(1, n_points // 8) if n_points else None
    for i in itertools.count():
        style = {
            "color": colors[i % len(colors)],
            "linestyle": LINESTYLES[i % len(LINESTYLES)],
            "marker": MARKERS[i % len(MARKERS)],
            "markersize": 5,
        }
        if every:
            style["markevery"] = (i % every, every)  # staggered between series
        yield style


def as_list(value: Any, n: int, name: str) -> list:
    """Return ``value`` as a list of ``n`` entries (a scalar is repeated)."""
    if value is None or isinstance(value, str) or not hasattr(value, "__len__"):
        return [value] * n
    out = list(value)
    if len(out) != n:
        raise ValueError(f"{name} must have {n} entries, one per series; got {out!r}.")
    return out
