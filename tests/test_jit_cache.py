"""Where numba caches the compiled steps: never into a read-only install.

Each case copies the package to a temporary directory, makes it read-only and
fits in a child process with ``SKLEARN_ADAMLP_JIT=1``. As root, whom file modes
do not stop, the child runs with the capabilities that bypass them dropped
(``setpriv``); where that is impossible the read-only cases are skipped.
"""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import sklearn_adamlp

pytest.importorskip("numba")

CHILD = """
import warnings
import numpy as np
warnings.simplefilter("error", RuntimeWarning)  # numba failing to load warns
warnings.simplefilter("ignore", UserWarning)
import sklearn_adamlp
from sklearn_adamlp import MLPClassifier, _jit
assert sklearn_adamlp.__file__.startswith({root!r}), sklearn_adamlp.__file__
X = np.random.default_rng(0).normal(size=(40, 3))
MLPClassifier(hidden_layer_sizes=(4,), max_iter=3).fit(X, (X[:, 0] > 0) * 1)
print("compiled" if _jit.loaded() else "numpy")
"""

PROBE = "open({path!r}, 'w')"


def _copy_package(root: Path, read_only: bool) -> Path:
    src = Path(sklearn_adamlp.__file__).parent
    dst = root / "sklearn_adamlp"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
    if read_only:
        for path in [dst, *dst.rglob("*")]:
            mode = path.stat().st_mode
            path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return dst


def _prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip(
            "running as root without setpriv: cannot make a directory read-only"
        )
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def _run(code: str, root: Path, env: dict, read_only: bool):
    full = {
        **os.environ,
        "PYTHONPATH": str(root),
        "SKLEARN_ADAMLP_JIT": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    if "NUMBA_CACHE_DIR" not in env:
        full.pop("NUMBA_CACHE_DIR", None)
    cmd = [*(_prefix() if read_only else []), sys.executable, "-c", code]
    return subprocess.run(
        cmd, env=full, cwd=root, capture_output=True, text=True, timeout=300
    )


def _files(path: Path) -> set[str]:
    return (
        {str(p.relative_to(path)) for p in path.rglob("*")} if path.exists() else set()
    )


def _cache_files(path: Path) -> set[str]:
    return {f for f in _files(path) if f.endswith((".nbi", ".nbc"))}


@pytest.fixture
def readonly_package(tmp_path):
    pkg = _copy_package(tmp_path / "site", read_only=True)
    probe = _run(PROBE.format(path=str(pkg / "probe")), tmp_path, {}, True)
    if probe.returncode == 0:
        pytest.skip("cannot make the package copy read-only for the child")
    return pkg


@pytest.mark.parametrize(
    "cache_dirs",
    [
        {"XDG_CACHE_HOME": "user"},  # numba's user-wide cache
        {"NUMBA_CACHE_DIR": "numba", "XDG_CACHE_HOME": "user"},
        {"XDG_CACHE_HOME": "read-only"},  # nowhere to cache: no cache
    ],
    ids=["user-cache", "NUMBA_CACHE_DIR", "nowhere-writable"],
)
def test_read_only_install_compiles_and_writes_nothing_into_it(
    tmp_path, readonly_package, cache_dirs
):
    before = _files(readonly_package)
    env = {}
    for name, sub in cache_dirs.items():
        d = tmp_path / sub
        d.mkdir()
        if sub == "read-only":
            d.chmod(0o555)
        env[name] = str(d)
    out = _run(CHILD.format(root=str(tmp_path / "site")), tmp_path / "site", env, True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "compiled"  # the compiled steps ran, no warning
    assert _files(readonly_package) == before  # nothing written into the package
    written = {sub: _cache_files(tmp_path / sub) for sub in cache_dirs.values()}
    if "NUMBA_CACHE_DIR" in cache_dirs:
        assert written["numba"]
        assert not written["user"]
    elif cache_dirs["XDG_CACHE_HOME"] == "user":
        assert written["user"]
    else:
        assert not written["read-only"]


def test_numba_cache_dir_is_respected_by_a_writable_install(tmp_path):
    pkg = _copy_package(tmp_path / "site", read_only=False)
    cache = tmp_path / "numba"
    env = {"NUMBA_CACHE_DIR": str(cache), "XDG_CACHE_HOME": str(tmp_path / "user")}
    out = _run(CHILD.format(root=str(tmp_path / "site")), tmp_path / "site", env, False)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "compiled"
    assert _cache_files(cache)
    assert not _cache_files(pkg)
    assert not (tmp_path / "user").exists()
