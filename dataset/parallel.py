"""Run a pure function over tasks on several cores, yielding results in task order.

A thin layer over :class:`concurrent.futures.ProcessPoolExecutor`: at most
``window`` tasks are in flight, so a slow consumer (the Parquet writer) keeps
memory bounded, and results come back in submission order, so the output does
not depend on the number of workers. Workers are spawned (not forked: the
parent holds Arrow thread pools) and exit on their own if the parent is killed.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")
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


def ordered_map(fn: Callable[[T], R], tasks: Sequence[T], jobs: int, window: int | None = None) -> Iterator[R]:
    """``map(fn, tasks)`` on ``jobs`` processes (in this process when ``jobs`` is 1 or there is one task)."""
    if jobs <= 1 or len(tasks) <= 1:
        yield from map(fn, tasks)
        return
    workers = min(jobs, len(tasks))
    window = window or 2 * workers
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_exit_with_parent, initargs=(os.getpid(),)) as pool:
        pending: deque[Future[R]] = deque()
        todo = iter(tasks)
        try:
            for task in todo:
                pending.append(pool.submit(fn, task))
                if len(pending) >= window:
                    break
            while pending:
                result = pending.popleft().result()
                for task in todo:
                    pending.append(pool.submit(fn, task))
                    break
                yield result
        finally:
            for f in pending:
                f.cancel()
