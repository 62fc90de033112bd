"""Stopping cleanly: a Celery worker asked to stop (SIGTERM, Ctrl-C) lets a mail batch stop
between two messages instead of sending the whole batch first.

Why: Celery's warm shutdown waits for every running task. A weekly-e-mail batch sends up to
``DIGEST_BATCH_SIZE`` (200) messages one at a time; to a slow mail server that is minutes, and
every further SIGTERM is ignored meanwhile, so ``docker stop``, ``systemctl stop`` and Ctrl-C
in ``make run`` seemed to hang until someone sent SIGKILL (which leaves the rest of the batch
claimed and, 30 minutes later, *unknown*: never sent).

How: the worker's main process receives the signal (``worker_shutting_down``) and sets a flag
in a page of anonymous shared memory that the pool's child processes inherited when they were
forked. ``messages_send`` looks at the flag before each message: the message being handed over
finishes (at most ``EMAIL_TIMEOUT`` seconds), the rest of the batch is released (claims
deleted) and the task puts its own message back on the queue (``Reject(requeue=True)``), so
the next worker sends exactly the people who did not get it yet. A child that receives SIGTERM
itself during a batch (``kill`` of the whole process group, systemd's default
``KillMode=control-group``) sets the same flag instead of dying mid-batch; a second SIGTERM
still ends it.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from celery.exceptions import Reject
from celery.signals import worker_process_init, worker_shutting_down

# One shared byte, made when this module is imported (in the worker's main process, while
# Django sets up, before the pool forks): every child sees what the main process writes.
_FLAG = mmap.mmap(-1, 1)
_pool_child = False  # a Celery prefork pool process
_terms = 0  # SIGTERMs this process received itself during the current batch


class SendingInterrupted(Exception):
    """A batch stopped between two messages because the worker is stopping. Everything not
    handed over was released; the task's message goes back on the queue."""


def shutdown_requested() -> bool:
    """True once this worker (or this pool process) has been asked to stop."""
    return _FLAG[0] == 1


def shutdown_request() -> None:
    """Ask running batches to stop after the message they are sending now."""
    _FLAG[0] = 1


def shutdown_reset() -> None:
    """Forget a stop request (tests, and a process that reuses this module)."""
    _FLAG[0] = 0


@worker_shutting_down.connect
def _on_worker_shutting_down(sig: Any = None, how: Any = None, **kwargs: Any) -> None:
    # Runs in the main process's signal handler: no logging (not reentrant), just the flag.
    shutdown_request()


@contextlib.contextmanager
def batch_sending() -> Iterator[None]:
    """While a batch is being sent, the first SIGTERM this process receives itself asks the
    batch to stop between messages instead of ending the process mid-batch (the default for a
    pool process). Outside a batch the usual handler is in place. Only the main thread can
    handle signals; elsewhere this does nothing."""
    global _terms
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGTERM)
    _terms = 0

    def on_term(signum: int, frame: FrameType | None) -> None:
        global _terms
        _terms += 1
        shutdown_request()
        if _pool_child and _terms == 1:
            return  # the batch stops between messages; the pool ends this process after
        signal.signal(signal.SIGTERM, previous)
        if callable(previous):  # e.g. Celery's warm shutdown in a solo worker
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            os.kill(os.getpid(), signal.SIGTERM)

    signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@worker_process_init.connect
def _on_worker_process_init(**kwargs: Any) -> None:
    global _pool_child
    _pool_child = True


@contextlib.contextmanager
def requeued_when_stopping() -> Iterator[None]:
    """A batch stopped because the worker is stopping released what it did not send: put
    this task's message back on the queue unchanged (acks_late), without using up a retry,
    so the next worker sends exactly the rest."""
    try:
        yield
    except SendingInterrupted as exc:
        raise Reject(str(exc), requeue=True) from exc
