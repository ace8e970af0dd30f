"""The tests exercise the installed package, not the source tree beside them."""

import os
import sysconfig
from importlib.metadata import version
from pathlib import Path

import pytest

import sklearn_adamlp

SOURCE_TREE = Path(__file__).resolve().parents[1] / "sklearn_adamlp"


def test_version_has_one_source():
    # the installed distribution's metadata and the module agree
    assert sklearn_adamlp.__version__ == version("sklearn-adamlp")


@pytest.mark.skipif(
    os.environ.get("SKLEARN_ADAMLP_TEST_INSTALLED") != "1",
    reason="set by .ci/run, which installs the package (not editable)",
)
def test_imported_from_the_installed_package():
    where = Path(sklearn_adamlp.__file__).resolve().parent
    assert where != SOURCE_TREE
    assert where.is_relative_to(Path(sysconfig.get_paths()["purelib"]).resolve())
