import numpy as np

from gongjiang.core import memory


def test_keep_freed_memory_applies_on_glibc_and_arrays_still_work():
    assert memory.keep_freed_memory() is True
    assert memory.keep_freed_memory() is True  # idempotent
    a = np.arange(5_000_000, dtype=np.int64)  # larger than glibc's mmap threshold
    assert int(a.sum()) == 5_000_000 * 4_999_999 // 2


def test_warm_heap_faults_in_the_heap_top_once():
    """After warm_heap, allocating and touching arrays that fit in the warmed top costs no page
    fault (the allocator keeps the touched pages: keep_freed_memory)."""
    import resource

    assert memory.keep_freed_memory() is True
    assert memory.warm_heap(64 << 20) is True
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        a = np.ones(2_000_000, dtype=np.int64)  # 16 MB
        assert int(a.sum()) == 2_000_000
        del a
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before < 1000  # 3 x 16 MB fresh = 12,000
