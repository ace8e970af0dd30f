"""The working objects of a fitted estimator as plain data, and back.

Each ``*_to_plain`` function returns numpy arrays, numbers, strings, lists,
dicts and registry names only, so that skops (which refuses to load types the
user did not trust) loads a fitted estimator trusting nothing but the
estimator's class; each ``*_from_plain`` rebuilds the working object. Classes
are named by their registry name (built-in optimizers, activations, losses) and
looked up in the registry or a fixed table on load, never imported by a name
read from the file. A user's own class travels as the class itself (skops then
asks the user to trust it).
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import numpy as np

from sklearn_adamlp import activations, losses
from sklearn_adamlp._registry import Registry
from sklearn_adamlp.callbacks import (
    NoImprovementStopping,
    PlateauReduction,
    SnapshotEnsemble,
)
from sklearn_adamlp.divergence import GrowthGuard
from sklearn_adamlp.history import History
from sklearn_adamlp.network import Network
from sklearn_adamlp.optimizers import OPTIMIZERS
from sklearn_adamlp.training import TrainState

#: the estimator's own callbacks, by class name (``_stopper``, schedule callbacks)
INTERNAL_CALLBACKS = {
    cls.__name__: cls
    for cls in (NoImprovementStopping, PlateauReduction, SnapshotEnsemble)
}

#: target types a classification loss is specialized for (``Loss.specialize``)
Y_TYPES = ("binary", "multiclass", "multilabel-indicator")

#: bit generators a random generator's state may name
BIT_GENERATORS = ("MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64")


def plain_value(value: Any) -> Any:
    """Return a numpy scalar as the Python number it holds; anything else as is."""
    return value.item() if isinstance(value, np.generic) else value


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def class_to_plain(cls: type, registry: Registry) -> dict:
    """``{"name", "qualname"}`` of a built-in registered class, else ``{"type"}``."""
    if cls.__module__.startswith("sklearn_adamlp."):
        for name in registry.available():
            if registry.get(name) is cls:
                return {"name": name, "qualname": _qualname(cls)}
    return {"type": cls}


def class_from_plain(spec: dict, registry: Registry) -> type:
    """Return the class ``class_to_plain`` described (raise if its name moved)."""
    if "type" in spec:
        return spec["type"]
    cls = registry.get(spec["name"])
    if not isinstance(cls, type) or _qualname(cls) != spec["qualname"]:
        raise ValueError(
            f"The saved model used {spec['qualname']} as {registry.kind} "
            f"{spec['name']!r}, but that name is registered to {cls!r} here; "
            "restore the registration before loading."
        )
    return cls


def parametrized_to_plain(obj: Any, cls_spec: Any) -> dict:
    """Return the constructor parameters and public fitted attributes of ``obj``."""
    params = obj.get_params(deep=False)
    fitted = {
        key: plain_value(value)
        for key, value in vars(obj).items()
        if key not in params and not key.startswith("_")
    }
    params = {key: plain_value(value) for key, value in params.items()}
    return {"class": cls_spec, "params": params, "fitted": fitted}


def parametrized_from_plain(plain: dict, cls: type) -> Any:
    """Rebuild what ``parametrized_to_plain`` stored, as an instance of ``cls``."""
    obj = cls(**plain["params"])
    for key, value in plain["fitted"].items():
        setattr(obj, key, value)
    return obj


def optimizer_to_plain(opt: Any) -> dict | None:
    """Return the optimizer's class (by name), parameters and state (moments, t_)."""
    if opt is None:
        return None
    return parametrized_to_plain(opt, class_to_plain(type(opt), OPTIMIZERS))


def optimizer_from_plain(plain: dict | None) -> Any:
    """Rebuild the optimizer, its state included."""
    if plain is None:
        return None
    return parametrized_from_plain(plain, class_from_plain(plain["class"], OPTIMIZERS))


def callback_to_plain(cb: Any) -> dict | None:
    """Return one of the estimator's own callbacks (stopping, plateau, snapshots)."""
    if cb is None:
        return None
    name = type(cb).__name__
    spec = name if INTERNAL_CALLBACKS.get(name) is type(cb) else {"type": type(cb)}
    return parametrized_to_plain(cb, spec)


def callback_from_plain(plain: dict | None) -> Any:
    """Rebuild a callback ``callback_to_plain`` stored."""
    if plain is None:
        return None
    spec = plain["class"]
    if isinstance(spec, dict):
        return parametrized_from_plain(plain, spec["type"])
    if spec not in INTERNAL_CALLBACKS:
        raise ValueError(f"Unknown internal callback {spec!r} in the saved state.")
    return parametrized_from_plain(plain, INTERNAL_CALLBACKS[spec])


def history_to_plain(history: History) -> dict:
    """Return the epoch records as columns (arrays where no record lacks one)."""
    keys: list[str] = []
    for record in history.records:
        keys += [k for k in record if k not in keys]
    columns: dict[str, Any] = {}
    for key in keys:
        values = [plain_value(r.get(key)) for r in history.records]
        numeric = all(isinstance(v, int | float) for v in values)
        columns[key] = np.asarray(values) if numeric and values else values
    return {"n_records": len(history.records), "columns": columns}


def history_from_plain(plain: dict) -> History:
    """Rebuild the history; a column value None means the record lacks the key."""
    columns = {
        k: v.tolist() if isinstance(v, np.ndarray) else v
        for k, v in plain["columns"].items()
    }
    history = History()
    for i in range(plain["n_records"]):
        history.append({k: v[i] for k, v in columns.items() if v[i] is not None})
    return history


def train_state_to_plain(state: TrainState) -> dict:
    """Return the counters (epochs, samples, steps, ...) and the row order."""
    out = {f.name: plain_value(getattr(state, f.name)) for f in fields(state)}
    if state.guard is not None:  # the divergence guard's record, as plain values
        out["guard"] = {k: plain_value(v) for k, v in vars(state.guard).items()}
    order = out.get("order")
    if isinstance(order, np.ndarray) and order.size < 2**31:
        out["order"] = order.astype(np.int32)  # half the bytes of row indices
    return out


def train_state_from_plain(plain: dict) -> TrainState:
    """Rebuild the training state; fields this version lacks are ignored."""
    known = {f.name for f in fields(TrainState)}
    values = {k: v for k, v in plain.items() if k in known}
    if isinstance(values.get("order"), np.ndarray):
        values["order"] = values["order"].astype(np.intp)
    if isinstance(values.get("guard"), dict):
        guard = GrowthGuard()
        for name, value in values["guard"].items():
            setattr(guard, name, value)
        values["guard"] = guard
    return TrainState(**values)


def random_state_to_plain(rng: Any) -> dict | None:
    """Return a RandomState's or Generator's bit-generator state (a dict)."""
    if rng is None:
        return None
    if isinstance(rng, np.random.RandomState):
        return {"kind": "RandomState", "state": rng.get_state(legacy=False)}
    return {"kind": "Generator", "state": rng.bit_generator.state}


def random_state_from_plain(plain: dict | None) -> Any:
    """Rebuild the generator ``random_state_to_plain`` described."""
    if plain is None:
        return None
    state = plain["state"]
    if state["bit_generator"] not in BIT_GENERATORS:
        raise ValueError(f"Unknown bit generator {state['bit_generator']!r}.")
    if plain["kind"] == "RandomState":
        rng = np.random.RandomState()
        rng.set_state(state)
        return rng
    bits = getattr(np.random, state["bit_generator"])()
    bits.state = state
    return np.random.Generator(bits)


def _same(a: Any, b: Any) -> bool:
    """Whether ``a`` is ``b`` or an equal instance (e.g. ``b`` unpickled)."""
    if a is b:
        return True
    if type(a) is not type(b) or vars(a).keys() != vars(b).keys():
        return False
    try:
        return all(bool(np.all(vars(a)[k] == vars(b)[k])) for k in vars(a))
    except (TypeError, ValueError):
        return False


def _entry_to_plain(obj: Any, registry: Registry) -> Any:
    """Return a registered instance (or an equal one) by name, others as is."""
    name = getattr(obj, "name", None)
    if name in registry and _same(registry.get(name), obj):
        return {"name": name}
    return obj


def _loss_to_plain(loss: Any) -> Any:
    """Return a registered loss, or one it specializes into, by name (y type)."""
    if loss.name not in losses.LOSSES:
        return loss
    base = losses.LOSSES.get(loss.name)
    if _same(base, loss):
        return {"name": loss.name}
    for y_type in Y_TYPES:
        if _same(base.specialize(y_type), loss):
            return {"name": loss.name, "y_type": y_type}
    return loss


def _loss_from_plain(spec: Any) -> Any:
    if not isinstance(spec, dict):
        return spec
    loss = losses.LOSSES.get(spec["name"])
    return loss.specialize(spec["y_type"]) if "y_type" in spec else loss


def network_to_plain(net: Network) -> dict:
    """Layer sizes, activation and loss names, dtype, dropout, batch norm, RNG."""
    return {
        "units": [int(u) for u in net.layout.layer_units],
        "activations": [
            _entry_to_plain(a, activations.ACTIVATIONS) for a in net.activations
        ],
        "loss": _loss_to_plain(net.loss),
        "dtype": net.dtype.name,
        "dropout": [float(p) for p in net.dropout_rates],
        "batch_norm": bool(net.batch_norm),
        "bn_momentum": float(net.bn_momentum),
        "bn_eps": float(net.bn_eps),
        "running": net.running,
        "rng": random_state_to_plain(net.rng),
    }


def network_from_plain(plain: dict, penalties: list) -> Network:
    """Rebuild the network (its parameters live in the estimator's flat buffer)."""
    acts = [
        activations.get(a["name"]) if isinstance(a, dict) else a
        for a in plain["activations"]
    ]
    net = Network(
        plain["units"],
        acts,
        _loss_from_plain(plain["loss"]),
        dtype=np.dtype(plain["dtype"]),
        penalties=penalties,
        dropout=plain["dropout"],
        batch_norm=plain["batch_norm"],
        bn_momentum=plain["bn_momentum"],
        bn_eps=plain["bn_eps"],
    )
    net.running[...] = plain["running"]
    net.rng = random_state_from_plain(plain["rng"])
    return net
