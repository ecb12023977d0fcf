import numpy as np

from gongjiang.core import memory


def test_keep_freed_memory_applies_on_glibc_and_arrays_still_work():
    assert memory.keep_freed_memory() is True
    assert memory.keep_freed_memory() is True  # idempotent
    a = np.arange(5_000_000, dtype=np.int64)  # larger than glibc's mmap threshold
    assert int(a.sum()) == 5_000_000 * 4_999_999 // 2
