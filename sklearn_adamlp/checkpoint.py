"""Save an estimator to disk during training, atomically, and load it back.

``Checkpoint`` is a callback: passed in ``callbacks=[...]``, it writes the
estimator every ``every`` epochs (or only when the monitored value improves),
complete with its optimizer state, training counters and random generators,
so a fit stopped by a crash continues with ``warm_start=True`` as if it had
not stopped (docs/persistence.md). ``save`` and ``load`` are the writer and
reader it uses.

A file is written to a temporary file in the same directory and then moved
over the target with ``os.replace``, an atomic rename: a crash while writing
leaves the previous checkpoint whole.
"""

from __future__ import annotations

import math
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from sklearn_adamlp.callbacks import Callback

FORMATS = ("auto", "skops", "joblib", "pickle")
SUFFIXES = {
    ".skops": "skops",
    ".joblib": "joblib",
    ".pkl": "pickle",
    ".pickle": "pickle",
}
MONITORS = ("loss", "val_loss", "val_score")

#: the estimator classes ``load`` trusts in a skops file (they restore their
#: fitted state from arrays, numbers, strings and registry names only)
TRUSTED_ESTIMATORS = [
    "sklearn_adamlp._estimators._classifier.MLPClassifier",
    "sklearn_adamlp._estimators._regressor.MLPRegressor",
    "sklearn_adamlp.checkpoint.Checkpoint",
]


def _has_skops() -> bool:
    try:
        import skops.io  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_format(path: str | os.PathLike, format: str = "auto") -> str:
    """Return the format of ``path``: 'skops', 'joblib' or 'pickle'.

    ``format='auto'`` goes by the suffix (.skops, .joblib, .pkl/.pickle);
    another suffix gets skops when it is installed, joblib otherwise.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {format!r}.")
    if format == "auto":
        format = SUFFIXES.get(Path(path).suffix.lower(), "")
        format = format or ("skops" if _has_skops() else "joblib")
    if format == "skops" and not _has_skops():
        raise ImportError(
            "Saving in the skops format needs skops: pip install "
            "'sklearn-adamlp[persist]' (or choose format='joblib')."
        )
    return format


def _write(obj: Any, file: BinaryIO, format: str) -> None:
    if format == "skops":
        import skops.io

        skops.io.dump(obj, file)
    elif format == "joblib":
        import joblib

        joblib.dump(obj, file)
    else:
        pickle.dump(obj, file, protocol=pickle.HIGHEST_PROTOCOL)


def save(estimator: Any, path: str | os.PathLike, format: str = "auto") -> Path:
    """Write ``estimator`` to ``path`` atomically; return the path.

    The file is written under a temporary name in the same directory, flushed
    to disk, then renamed over ``path`` (``os.replace``): readers see the old
    file or the new one, never a partial one. ``format`` as in
    ``resolve_format``.
    """
    path = Path(path)
    format = resolve_format(path, format)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            _write(estimator, file, format)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(
    path: str | os.PathLike, trusted: list | None = None, format: str = "auto"
) -> Any:
    """Load an estimator ``save`` (or ``Checkpoint``) wrote.

    A skops file is loaded with ``skops.io.load``, trusting sklearn-adamlp's
    estimator classes plus ``trusted`` (the types of objects you passed as
    parameters: an optimizer, schedule or initializer object, a callback);
    skops refuses any other type. A joblib or pickle file can run arbitrary
    code when loaded: load those only from sources you trust.
    """
    format = resolve_format(path, format)
    if format == "skops":
        import skops.io

        return skops.io.load(path, trusted=TRUSTED_ESTIMATORS + list(trusted or []))
    if format == "joblib":
        import joblib

        return joblib.load(path)
    with open(path, "rb") as file:
        return pickle.load(file)


class Checkpoint(Callback):
    """Save the estimator during training (Keras's ModelCheckpoint, skorch's).

    After every ``every``-th epoch (counted over all fits of the estimator),
    the estimator is written to ``path`` with ``save``: atomically, with its
    optimizer state (moments, step count), history, stopping-rule state and
    random generators, so that loading it and fitting on with
    ``warm_start=True`` continues the interrupted fit (docs/persistence.md).

    Parameters
    ----------
    path : str or path-like
        Target file. It may contain ``{epoch}`` (e.g. ``"ckpt-{epoch}.skops"``)
        to keep one file per save.
    monitor : {'val_loss', 'loss', 'val_score'}, default='val_loss'
        Record column compared by ``save_best_only``: a save happens when it
        is lower than at every earlier save (higher, for 'val_score'). The
        validation columns need a validation set (``early_stopping=True`` or
        ``validation_data``).
    every : int, default=1
        Consider saving every ``every`` epochs.
    save_best_only : bool, default=False
        Save only when ``monitor`` improved on the best value saved so far.
    format : {'auto', 'skops', 'joblib', 'pickle'}, default='auto'
        File format; 'auto' goes by the suffix (.skops, .joblib, .pkl), and
        otherwise uses skops when installed, joblib if not.

    Attributes
    ----------
    best_ : float
        Best ``monitor`` value among the saves (``save_best_only``).
    last_path_ : str or None
        File of the latest save.
    n_saves_ : int
        Number of files written.
    """

    #: the estimator passes itself to the hooks (``estimator=``)
    needs_estimator = True

    def __init__(
        self,
        path: str | os.PathLike,
        monitor: str = "val_loss",
        every: int = 1,
        save_best_only: bool = False,
        format: str = "auto",
    ) -> None:
        self.path = path
        self.monitor = monitor
        self.every = every
        self.save_best_only = save_best_only
        self.format = format

    def __getstate__(self) -> dict:
        # a path-like saved as its string: skops trusts str, not pathlib types
        return {**self.__dict__, "path": os.fspath(self.path)}

    def _check(self, ctx: Any) -> None:
        if self.monitor not in MONITORS:
            raise ValueError(
                f"Checkpoint monitor must be one of {MONITORS}, got {self.monitor!r}."
            )
        if not isinstance(self.every, int) or self.every < 1:
            raise ValueError(
                f"Checkpoint every must be an int >= 1, got {self.every!r}."
            )
        if self.save_best_only and self.monitor != "loss" and ctx.validate is None:
            raise ValueError(
                f"Checkpoint(save_best_only=True, monitor={self.monitor!r}) needs "
                "a validation set: fit with early_stopping=True or validation_data, "
                "or monitor='loss'."
            )
        resolve_format(str(self.path), self.format)

    def on_fit_begin(self, ctx: Any, estimator: Any = None, **kwargs: Any) -> None:  # noqa: D102
        if estimator is None:
            raise ValueError(
                "Checkpoint saves an estimator: pass it in the estimator's "
                "callbacks, e.g. MLPClassifier(callbacks=[Checkpoint(path)])."
            )
        self._check(ctx)
        if not hasattr(self, "best_"):
            self.best_ = math.inf if self.monitor != "val_score" else -math.inf
            self.last_path_: str | None = None
            self.n_saves_ = 0

    def _improved(self, value: float) -> bool:
        if math.isnan(value):
            return False
        if self.monitor == "val_score":
            return value > self.best_
        return value < self.best_

    def on_epoch_end(  # noqa: D102
        self, ctx: Any, record: dict, estimator: Any = None, **kwargs: Any
    ) -> bool:
        epoch = ctx.state.epochs
        if epoch % self.every:
            return False
        if self.save_best_only:
            value = float(record[self.monitor])
            if not self._improved(value):
                return False
            self.best_ = value
        path = Path(str(self.path).format(epoch=epoch))
        self.last_path_ = str(save(estimator, path, self.format))
        self.n_saves_ += 1
        return False


__all__ = ["Checkpoint", "load", "resolve_format", "save"]
