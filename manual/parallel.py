"""Work spread over forked processes, with the same result, in the same order, as in one process.

Forked workers start at once and find the parent's data already in memory: only their share of the
items goes to them, and only their results come back (pickled: keep both small).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
from typing import Callable, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    return concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"))


def map_chunks(function: Callable[[list[Item]], list[Result]], items: list[Item], workers: int, *,
               min_items: int = 2) -> list[Result]:
    """Return function(items) computed in `workers` forked processes, a few chunks of items each
    (so that a slow chunk does not keep one process busy alone), in the order of `items`.

    `function` takes a list of items and returns one result per item. With one worker, fewer than
    `min_items` items (below which starting processes costs more than it saves), or no fork on this
    system, it runs in this process.
    """
    if workers <= 1 or len(items) < max(min_items, 2) or not can_fork():
        return function(items)
    size = -(-len(items) // (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    with _pool(workers) as pool:
        return [result for results in pool.map(function, chunks) for result in results]


# The jobs that run_jobs is running: forked workers find them here (with the manual they build)
# instead of receiving a pickled copy.
_JOBS: dict[str, tuple] = {}


def _run_job(key: str) -> None:
    function, args = _JOBS[key]
    function(*args)


def run_jobs(function: Callable[..., None], jobs: dict[str, tuple]) -> None:
    """Run `function(*args)` for each job, in forked processes when there are several jobs and cores
    (the languages of the website, the shards of one language); the first failure is raised."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1 or not can_fork():
        for args in jobs.values():
            function(*args)
        return
    _JOBS.clear()
    _JOBS.update({key: (function, args) for key, args in jobs.items()})
    try:
        with _pool(workers) as pool:
            for future in [pool.submit(_run_job, key) for key in jobs]:
                future.result()
    finally:
        _JOBS.clear()
