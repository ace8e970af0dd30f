"""The LocalCluster the Dask tests start and close: 2 processes, 1 thread each.

The issue's set-up: a test starts its own cluster and cleans it up. ``client``
makes it the default client (a module's cluster); ``own_client`` makes it the
current one while the test runs, leaving the default alone (a test that kills
a worker, or one that must not share the module's cluster).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def local_client(*, default: bool = True) -> Iterator[Any]:
    """Yield a ``distributed.Client`` on a new LocalCluster; close both after."""
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster, set_as_default=default) as client,
    ):
        if default:
            yield client
        else:
            with client.as_current():
                yield client
