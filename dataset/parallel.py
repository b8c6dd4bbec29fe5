"""Run pure functions on several cores, yielding results in task order.

A thin layer over :class:`concurrent.futures.ProcessPoolExecutor`: at most
two tasks per worker are in flight, so a slow consumer (the Parquet writer) keeps
memory bounded, and results come back in submission order, so the output does
not depend on the number of workers. Workers are spawned (not forked: the
parent holds Arrow thread pools), started only when there is work for them,
and exit on their own if the parent is killed.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

#: Tasks a worker process runs before it is replaced (Python >= 3.11).
TASKS_PER_WORKER = 100
T = TypeVar("T")
_DONE: Any = object()
R = TypeVar("R")


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: leave as soon as the parent process is gone (e.g. SIGKILL)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="akhbar-parent-watch", daemon=True).start()


def spawn_pool(workers: int, **options: Any) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that leave when this process is gone."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_exit_with_parent,
                               initargs=(os.getpid(),), **options)


class Workers:
    """``jobs`` worker processes (none when ``jobs`` is 1: everything runs in this process)."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # a fresh worker now and then: what fragments a worker's memory does not build up
            renew = {"max_tasks_per_child": TASKS_PER_WORKER} if sys.version_info >= (3, 11) else {}
            self._pool = spawn_pool(self.jobs, **renew)
        return self._pool

    def call(self, fn: Callable[[T], R], arg: T, here: bool = False) -> R:
        """``fn(arg)`` in a process of its own that ends with the call, so that whatever memory
        the call needs is returned (in this process when ``here`` or with one job)."""
        if here or self.jobs == 1:
            return fn(arg)
        with spawn_pool(1) as one:
            return one.submit(fn, arg).result()

    def ordered_map(self, fn: Callable[[T], R], tasks: Sequence[T]) -> Iterator[R]:
        """``map(fn, tasks)`` on the workers (in this process with one job or one task), with at
        most two tasks per worker in flight."""
        if self.jobs == 1 or len(tasks) <= 1:
            yield from map(fn, tasks)
            return
        pool = self._executor()
        todo = iter(tasks)
        pending: deque[Future[R]] = deque(pool.submit(fn, task) for task in itertools.islice(todo, 2 * self.jobs))
        try:
            while pending:
                result = pending.popleft().result()
                task = next(todo, _DONE)
                if task is not _DONE:
                    pending.append(pool.submit(fn, task))
                yield result
        finally:
            for f in pending:
                f.cancel()

