"""Allocator settings for processes that evaluate policies over large batches.

A screening pass allocates and frees hundreds of megabytes of numpy temporaries. With glibc's
defaults the freed memory goes back to the system after each pass and the next pass pays a page
fault for every page again: on 1,000,000 people that more than doubles the time of the evaluation
itself (87.7 ms against 36.0 ms, bench/screening.py, 2-core AMD EPYC). Keeping freed memory in the
process trades resident memory (about the peak of one pass) for that speed. Call it at the start
of a worker process that screens; it does nothing where glibc is not the allocator.
"""
import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
M_MMAP_MAX = -4
M_ARENA_MAX = -8
_done = False


def keep_freed_memory(*, top_pad: int = 512 * 1024 * 1024) -> bool:
    """Tell glibc malloc to keep freed memory for reuse. Returns whether it was applied."""
    global _done
    if _done:
        return True
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # No mmapped chunks (they are unmapped on free, whatever their size): every array comes from the
    # heap, and the heap is not trimmed, so the next pass reuses pages already faulted in. One
    # arena: the engine's threads (policy.engine.LEAF_THREADS) allocate from the same heap instead
    # of arenas of their own, which warm_heap would not reach and which fault their pages again.
    ok = all(mallopt(param, value) == 1 for param, value in (
        (M_MMAP_MAX, 0), (M_TRIM_THRESHOLD, 2**31 - 1), (M_TOP_PAD, top_pad), (M_ARENA_MAX, 1)))
    _done = ok
    if not ok:
        log.warning("mallopt refused the screening allocator settings")
    return ok


def warm_heap(size: int = 512 * 1024 * 1024) -> bool:
    """Touch `size` bytes at the top of the heap once and give them back to the allocator, which
    keeps them (keep_freed_memory: no trimming). For a process that evaluates the same loaded
    facts again and again: the temporaries of successive passes do not land on the same addresses,
    the heap creeps upwards through its untouched top (about 44 MB a pass over 1,000,000 people)
    and every pass pays page faults for it (11,000 a pass; with numpy's huge pages and a loaded
    machine, up to its whole time again) until, dozens of passes later, the heap has been touched
    all over. Touching the top once after loading gives that state at once."""
    if not _done:
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.malloc.argtypes, libc.malloc.restype = [ctypes.c_size_t], ctypes.c_void_p
    libc.free.argtypes, libc.free.restype = [ctypes.c_void_p], None
    block = libc.malloc(size)
    if not block:
        return False
    ctypes.memset(block, 0, size)
    libc.free(block)
    return True
