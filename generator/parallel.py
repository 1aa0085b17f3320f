"""Pure work spread over the machine's cores by fork: a cold run plans and renders 3,000 roots,
each a pure function of the validated model, so the roots are split into one contiguous chunk
per core; forked children compute theirs and send the results back pickled through a pipe, this
process computes the first chunk, and the results come back in the items' order (the output is
byte for byte what one process makes). A child's exception is raised again here, with the
child's traceback. ``INFRAGEN_JOBS=1`` keeps everything in one process (a debugger, a profile).
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import traceback
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class ChildFailed(RuntimeError):
    """A forked child raised something that cannot travel back as itself: its traceback."""


def jobs() -> int:
    """Processes to use: INFRAGEN_JOBS when set to a positive number, else the cores this process
    may run on."""
    configured = os.environ.get("INFRAGEN_JOBS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _processes(items: int, minimum: int) -> int:
    """Processes for ``items`` items: 1 (no fork) below ``minimum`` items per process."""
    return min(jobs(), items // max(minimum, 1)) if hasattr(os, "fork") else 1


def _stop(children: list[tuple[int, int]]) -> None:
    """The children still running, killed and reaped."""
    for pid, read in children:
        os.close(read)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def map_chunks(
    compute: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    *,
    minimum: int,
    meanwhile: Callable[[], None] | None = None,
    spare: Callable[[], None] | None = None,
) -> list[R]:
    """``compute`` over ``items``, in order: in one process below ``minimum`` items (a fork costs
    more than it saves), else one chunk per process. ``compute`` returns one result per item.
    ``meanwhile``: other work of this process, run while the children compute (every chunk then
    goes to a child), or after ``compute`` when nothing forks. ``spare``: work this process does
    after ``meanwhile`` only while children compute (what it would otherwise wait idle for)."""
    count = _processes(len(items), minimum)
    if count < 2:
        results = compute(items)
        if meanwhile is not None:
            meanwhile()
        return results
    size = -(-len(items) // count)
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    children: list[tuple[int, int]] = []
    try:
        for chunk in chunks if meanwhile is not None else chunks[1:]:
            children.append(_fork(compute, chunk))
        if meanwhile is not None:
            meanwhile()
            if spare is not None:
                spare()
            results = _collect(*children.pop(0))
        else:
            results = compute(chunks[0])
        while children:
            pid, read = children.pop(0)
            results.extend(_collect(pid, read))
        return results
    finally:
        _stop(children)  # this process failed first


def map_shared(
    compute: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    *,
    minimum: int,
    meanwhile: Callable[[], None],
    grain: int,
) -> list[R]:
    """:func:`map_chunks` with ``meanwhile``, the work shared as it goes: ``items`` are cut into
    pieces of ``grain`` items, queued in a pipe, and each child takes the next piece until none is
    left; this process does ``meanwhile``, then takes pieces too. Nobody waits idle while another
    still has a long static chunk (the roots of a kind cost more than others; ``meanwhile`` costs
    what it costs). The results come back in the items' order."""
    count = _processes(len(items), minimum)
    if count < 2:
        results = compute(items)
        meanwhile()
        return results
    grain = max(grain, -(-len(items) // _MAX_PIECES))
    pieces = [items[start : start + grain] for start in range(0, len(items), grain)]
    queue, fill = os.pipe()
    children: list[tuple[int, int]] = []
    try:
        # every piece's number, queued before anyone reads: well within a pipe's 64 KiB, so this
        # never blocks, and a read of one number is atomic (the pipe's lock, every record 4 bytes)
        os.write(fill, b"".join(_PIECE.pack(number) for number in range(len(pieces))))
        os.close(fill)
        fill = -1
        work = partial(_take_pieces, compute, pieces, queue)
        for _ in range(count):
            children.append(_fork(work, ()))
        meanwhile()
        found = dict(work(()))
        while children:
            found.update(_collect(*children.pop(0)))
        return [result for number in range(len(pieces)) for result in found[number]]
    finally:
        os.close(queue)
        if fill != -1:
            os.close(fill)
        _stop(children)  # this process failed first


_PIECE = struct.Struct("<I")
_MAX_PIECES = 4096  # 16 KiB of piece numbers in the queue


def _take_pieces(
    compute: Callable[[Sequence[T]], list[R]], pieces: list[Sequence[T]], queue: int, _: Sequence[object]
) -> list[tuple[int, list[R]]]:
    """Pieces taken from ``queue`` until it is empty, each with its number and results."""
    done = []
    while len(record := os.read(queue, _PIECE.size)) == _PIECE.size:
        (number,) = _PIECE.unpack(record)
        done.append((number, compute(pieces[number])))
    return done


def _fork(compute: Callable[[Sequence[T]], list[R]], chunk: Sequence[T]) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    os.close(read)  # the child: compute, send, and leave without running the parent's cleanup
    status = 0
    try:
        payload = pickle.dumps(("ok", compute(chunk)), protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:  # sent back to be raised in the parent
        status = 1
        text = traceback.format_exc()
        try:
            payload = pickle.dumps(("raised", exc, text), protocol=pickle.HIGHEST_PROTOCOL)
            pickle.loads(payload)
        except BaseException:
            payload = pickle.dumps(("failed", None, text), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        with os.fdopen(write, "wb") as out:
            out.write(payload)
    finally:
        os._exit(status)


def _collect(pid: int, read: int) -> list[R]:
    with os.fdopen(read, "rb") as handle:
        data = handle.read()
    os.waitpid(pid, 0)
    message: tuple[Any, ...] = pickle.loads(data) if data else ("failed", None, "it sent nothing (killed?)")
    if message[0] == "ok":
        result: list[R] = message[1]
        return result
    _, exc, text = message
    if exc is not None:
        raise exc from ChildFailed(f"in a forked child:\n{text}")
    raise ChildFailed(f"in a forked child:\n{text}")
