"""One builder, one validation style, one registration style for every family.

Every family (optimizers, schedules, initializers, activations, losses,
parallel strategies) turns a spec into an object with ``Registry.build`` and
checks hyper-parameters with scikit-learn's ``_parameter_constraints``.
"""

import inspect
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

from sklearn_adamlp import (
    MLPClassifier,
    MLPRegressor,
    activations,
    initializers,
    losses,
    optimizers,
    parallel,
    schedules,
)
from sklearn_adamlp._registry import Registry

REGISTRIES = {
    "optimizer": optimizers.OPTIMIZERS,
    "schedule": schedules.SCHEDULES,
    "initializer": initializers.INITIALIZERS,
    "activation": activations.ACTIVATIONS,
    "loss": losses.LOSSES,
    "parallel": parallel.PARALLEL,
}


def _entries():
    for family, registry in REGISTRIES.items():
        for name in registry.available():
            yield pytest.param(family, name, id=f"{family}-{name}")


@pytest.fixture(scope="module")
def data():
    return make_classification(60, n_features=4, random_state=0)


def _fit(X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPClassifier((3,), max_iter=2, random_state=0, **params).fit(X, y)


# --- one validation style, through the public API ------------------------------


@pytest.mark.parametrize(
    ("params", "match"),
    [
        # optimizers were not checked at all before
        (
            {"solver": optimizers.Adam(beta_1=1.5)},
            r"The 'beta_1' parameter of Adam must be a float in the range "
            r"\[0.0, 1.0\)\. Got 1.5 instead",
        ),
        (
            {"solver": optimizers.Adam(beta_2=1.0)},
            r"'beta_2' parameter of Adam .*\[0.0, 1.0\)",
        ),
        (
            {"solver": optimizers.SGD(learning_rate=-1)},
            r"'learning_rate' parameter of SGD must be a float in the range "
            r"\[0.0, inf\)",
        ),
        ({"solver": optimizers.AdamW(epsilon=0.0)}, r"'epsilon' parameter of AdamW"),
        ({"solver": optimizers.Momentum(momentum=1.0)}, "'momentum' parameter of Mom"),
        ({"solver": optimizers.RMSprop(rho=-0.1)}, "'rho' parameter of RMSprop"),
        ({"solver": optimizers.Adagrad(weight_decay=-1e-3)}, "'weight_decay'"),
        ({"solver": optimizers.Adam(amsgrad="yes")}, "'amsgrad' parameter of Adam"),
        ({"solver": optimizers.Rprop(eta_plus=0.9)}, "'eta_plus' parameter of Rprop"),
        (
            {"solver": optimizers.Rprop(step_min=1.0, step_max=0.5)},
            "'step_min' parameter of Rprop must be at most step_max=0.5",
        ),
        ({"solver": optimizers.LBFGS(memory=0)}, "'memory' parameter of LBFGS"),
        # schedules, initializers, activations, parallel strategies
        ({"learning_rate": schedules.Cosine(T_max=0)}, "'T_max' parameter of Cosine"),
        (
            {"learning_rate": schedules.Warmup(schedules.Step(drop=0.0))},
            r"'drop' parameter of Step must be a float in the range \(0.0, inf\)",
        ),
        (
            {"learning_rate": schedules.Plateau(factor=0.5)},
            r"'factor' parameter of Plateau must be a float in the range \(1.0, inf\)",
        ),
        (
            {"init": initializers.GlorotUniform(gain=-1.0)},
            r"'gain' parameter of GlorotUniform must be a float in the range "
            r"\(0.0, inf\)",
        ),
        ({"init": initializers.Normal(std=-0.1)}, "'std' parameter of Normal"),
        (
            {"activation": activations.ELU(alpha=0.0)},
            r"'alpha' parameter of ELU must be a float in the range \(0.0, inf\)",
        ),
        (
            {"activation": ["relu", activations.LeakyReLU(negative_slope=-0.1)]},
            r"'negative_slope' parameter of LeakyReLU .*\[0.0, inf\)",
        ),
        (
            {"parallel": parallel.EASGD(tau=0)},
            r"'tau' parameter of EASGD must be an int in the range \[1, inf\)",
        ),
    ],
)
def test_bad_hyper_parameter_raises_at_fit_naming_class_and_parameter(
    data, params, match
):
    if isinstance(params.get("activation"), list):
        params["hidden_layer_sizes"] = (3, 3)
    with pytest.raises(ValueError, match=match):
        MLPClassifier(max_iter=2, **params).fit(*data)


def test_bad_loss_parameter_raises_at_fit():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    with pytest.raises(ValueError, match=r"'delta' parameter of Huber must be a float"):
        MLPRegressor(loss=losses.Huber(delta=0.0), max_iter=2).fit(X, X[:, 0])


def test_estimator_value_out_of_a_named_optimizers_range_is_named(data):
    # scikit-learn allows momentum=1 for 'sgd' (kept); classical momentum's
    # coefficient must stay below 1 (its docstring's range)
    with pytest.raises(ValueError, match="'momentum' parameter of Momentum"):
        MLPClassifier(solver="momentum", momentum=1.0, max_iter=2).fit(*data)
    assert _fit(*data, solver="sgd", momentum=1.0).n_iter_ == 2


def test_constructors_store_verbatim_and_check_only_at_build():
    opt = optimizers.Adam(beta_1=2.0, learning_rate="x")
    assert opt.get_params()["beta_1"] == 2.0
    assert opt.learning_rate == "x"
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.OPTIMIZERS.build(opt)


def test_a_value_changed_after_a_passing_check_is_checked_again():
    opt = optimizers.Adam(beta_1=0.5)
    optimizers.OPTIMIZERS.build(opt)  # passes (and is remembered)
    opt.set_params(beta_1=1.0)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.OPTIMIZERS.build(opt)
    opt.set_params(beta_1=np.nan)
    with pytest.raises(ValueError, match="beta_1"):
        optimizers.OPTIMIZERS.build(opt)
    warm = schedules.Warmup(schedules.Cosine(T_max=5))
    schedules.build(warm)
    warm.schedule.set_params(T_max=-1)  # a nested object changed in place
    with pytest.raises(ValueError, match="'T_max' parameter of Cosine"):
        schedules.build(warm)


def test_a_bool_is_not_a_count():
    with pytest.raises(ValueError, match="'n_fetch' parameter of Downpour"):
        parallel.build(parallel.Downpour(n_fetch=True))
    assert parallel.build(parallel.Downpour(n_fetch=np.int64(2))).n_fetch == 2


# --- every registered class declares its constraints ---------------------------


def _class_of(entry):
    return entry if isinstance(entry, type) else type(entry)


@pytest.mark.parametrize(("family", "name"), list(_entries()))
def test_registered_class_constrains_every_init_parameter(family, name):
    cls = _class_of(REGISTRIES[family].get(name))
    params = set(cls._get_param_names())
    declared = set(cls._parameter_constraints)
    assert params <= declared, f"{cls.__name__}: no constraint for {params - declared}"
    # the defaults satisfy the constraints
    built = REGISTRIES[family].build(cls)
    assert type(built) is cls


@pytest.mark.parametrize(("family", "name"), list(_entries()))
def test_every_family_registers_by_decorating_the_class(family, name):
    """The registration happens in the module defining the class (a decorator)."""
    cls = _class_of(REGISTRIES[family].get(name))
    source = inspect.getsource(inspect.getmodule(cls))
    assert f'.register("{name}")\nclass {cls.__name__}(' in source


# --- one builder ---------------------------------------------------------------


def test_build_by_name_passes_the_accepted_settings_only():
    s = schedules.SCHEDULES.build("cosine", T_max=7, power_t=0.3)
    assert type(s) is schedules.Cosine
    assert s.T_max == 7
    s = schedules.SCHEDULES.build("invscaling", T_max=7, power_t=0.3)
    assert s.power_t == 0.3
    assert type(optimizers.OPTIMIZERS.build(optimizers.Adam)) is optimizers.Adam


def test_build_copies_objects_deeply_and_never_mutates_them():
    inner = schedules.Cosine(T_max=9)
    outer = schedules.Warmup(inner, epochs=2)
    copy = schedules.SCHEDULES.build(outer, T_max=100)  # settings: names only
    assert copy is not outer
    assert copy.schedule is not inner
    assert copy.get_params() == {**outer.get_params(), "schedule": copy.schedule}
    assert copy.schedule.T_max == 9
    assert outer.schedule is inner


def test_build_drops_fitted_state(data):
    opt = optimizers.Adam(learning_rate=0.01)
    est = _fit(*data, solver=opt)
    assert not hasattr(opt, "state_")  # the user's object was not used
    assert est.optimizer_ is not opt
    assert est.optimizer_.state_ is not None
    again = optimizers.OPTIMIZERS.build(est.optimizer_)
    assert not hasattr(again, "state_")
    assert again.learning_rate == 0.01


def test_stateless_families_return_the_registered_instance_by_name():
    relu = activations.ACTIVATIONS.build("relu")
    assert relu is activations.get("relu")
    mine = activations.LeakyReLU(0.2)
    copy = activations.ACTIVATIONS.build(mine)
    assert copy is not mine
    assert copy.negative_slope == 0.2
    assert losses.LOSSES.build("huber") is losses.get("huber")


def test_one_register_call_for_classes_and_instances():
    reg = Registry("thing", instances=True)

    @reg.register("relu2")
    class Relu2(activations.ReLU):
        pass

    assert isinstance(reg.get("relu2"), Relu2)  # one default instance
    configured = activations.LeakyReLU(0.3)
    assert reg.register("leaky3")(configured) is configured
    assert reg.get("leaky3") is configured
    classes = Registry("other")
    assert classes.register("adam")(optimizers.Adam) is optimizers.Adam
    assert classes.get("adam") is optimizers.Adam


def test_public_wrappers_still_work():
    assert type(schedules.build("cosine", T_max=5)) is schedules.Cosine
    assert type(initializers.build("he_normal")) is initializers.HeNormal
    assert type(parallel.build("easgd")) is parallel.EASGD
    assert parallel.build(None) is None

    def f(shape, rng, dtype):
        return np.ones(shape, dtype)

    assert (initializers.build(f)((2, 3), np.random.default_rng(0)) == 1).all()
    with pytest.raises(TypeError, match="learning_rate must be"):
        schedules.build(3)
