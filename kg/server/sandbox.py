"""Limits a query worker puts on itself at start (no network, bounded memory) and reading a worker's RSS.

The ``SERVICE`` check in ``guard`` is the first defence against outbound requests; this is the
second, for anything it might miss. On Linux a worker moves into new user and network namespaces
(``unshare(CLONE_NEWUSER | CLONE_NEWNET)``), where the only interface is a loopback that is down:
every connect fails, to the host's own 127.0.0.1 as well. It needs no privilege but must happen
before the process starts a thread (RocksDB starts some when the store opens). Where the kernel
forbids it the worker runs without it and says so in its ready message.
"""

from __future__ import annotations

import ctypes
import os
import resource
import sys

__all__ = ["cap_address_space", "isolate_network", "resident_bytes"]

_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def isolate_network() -> bool:
    """Cut this process off from every network (Linux, single-threaded callers); False if not possible."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET)) == 0
    except (OSError, AttributeError):
        return False


def _virtual_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def cap_address_space(limit: int) -> None:
    """Let this process's address space grow by at most twice ``limit`` bytes beyond its size now.

    A backstop for the parent's RSS watchdog, which samples: an allocation burst between two samples
    ends in a failed allocation (Rust aborts, Python raises MemoryError) instead of swapping the
    machine. Twice, because address space counts reservations that RSS does not.
    """
    now = _virtual_bytes()
    if now is None:
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (now + 2 * limit, resource.RLIM_INFINITY))
    except (ValueError, OSError):  # a lower hard limit is already set: keep it
        pass


def resident_bytes(pid: int) -> int | None:
    """Resident set size of process ``pid`` in bytes (Linux ``/proc``); None when it cannot be read."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None
