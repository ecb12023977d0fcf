"""Compiled loops (numba) for the clause kinds whose numpy form needs many passes over the data.

The engine is otherwise whole-array numpy (engine.py); a kernel here replaces a chain of numpy
operations that would each read and write N-long arrays with one loop that keeps its state in
registers. Kernels are generic (no policy's rule): the engine passes them the clause's parameters.
They are compiled on first use and cached on disk next to this file (numba's `cache=True`).
"""
from __future__ import annotations

import numpy as np
from numba import carray, njit, types
from numba.extending import intrinsic

# Statuses (facts.FAIL / NEEDS_REVIEW / PASS), repeated as literals for the compiled code.
FAIL, NEEDS_REVIEW, PASS = 0, 1, 2


@intrinsic
def _int8_pointer(typingctx, address):
    """The int8 array at `address` (an int64 from ndarray.ctypes.data) as a pointer for carray."""
    sig = types.CPointer(types.int8)(types.int64)

    def codegen(context, builder, signature, args):
        return builder.inttoptr(args[0], context.get_value_type(types.CPointer(types.int8)))

    return sig, codegen


def addresses(arrays) -> tuple[np.ndarray, list]:
    """(int64 addresses, the arrays kept alive) of int8 arrays of one length, for a kernel that
    reads a variable number of them (kernels.culprits) without copying them into one."""
    kept = [np.ascontiguousarray(a, dtype=np.int8) for a in arrays]
    return np.array([a.ctypes.data for a in kept], np.int64), kept


@njit(cache=True, nogil=True, inline="always")
def _bound_ok(days, need, inclusive, upper):
    if need < 0:  # no such bound
        return True
    if upper:
        return days <= need if inclusive else days < need
    return days >= need if inclusive else days > need


@njit(cache=True, nogil=True, inline="always")
def _tenure_status(sure, possible, lo, lo_inc, hi, hi_inc):
    """Status from the days a person surely has and may have: pass when the sure days meet both
    bounds, needs_review when the uncertain rows could make the difference, else fail."""
    if _bound_ok(sure, lo, lo_inc, False) and _bound_ok(possible, hi, hi_inc, True):
        return PASS
    if _bound_ok(possible, lo, lo_inc, False) and _bound_ok(sure, hi, hi_inc, True):
        return NEEDS_REVIEW
    return FAIL


@njit(cache=True, nogil=True, inline="always")
def _count(take, continuous, gap, a, b, days, covered, run_start):
    """One more spell [a, b) of a person, in start order, counted if `take`: (days, latest stop,
    start of the current run). Selects, not branches: the loop over rows stays branch-free."""
    if continuous:
        run_start = a if take and (covered == 0 or a > covered + gap) else run_start
    else:
        days += max(b - max(a, covered), 0) if take else 0
    return days, max(covered, b) if take else covered, run_start


@njit(cache=True, nogil=True, inline="always")
def _days(continuous, until, days, covered, run_start):
    if continuous:
        return until - run_start if covered >= until else 0
    return days


@njit(cache=True, nogil=True)
def tenure(person, start, first, stop_open, place, full_time, occupation, ok, all_ok, inside_ext,
           in_jurisdiction, full_time_only, mine, same_occupation, continuous, gap, until,
           lo, lo_inc, hi, hi_inc, known, all_known, out):
    """Status (int8, into `out`, N long) of a tenure clause over the employment spells sorted by
    (person, start) (facts.SortedSpells), one pass over the rows.

    A spell counts for sure when it began before `until` (the reference date's ordinal), is not
    rejected and is known to be in the jurisdiction / full-time / in the person's current
    occupation `mine` (each only if asked); it may count when none of these is known false (an
    unknown start counts from day 1: `first`). Days are calendar days of the half-open intervals
    [first, min(stop_open, until)): in total, the distinct days covered; continuous, the days of
    the run of spells reaching `until`, a spell starting at most `gap` days after the latest end
    of the earlier ones continuing the run. Bounds: `lo`/`hi` in days (-1: none), inclusive flags.
    People without the employment list complete (`known` 0) need review rather than fail."""
    nobody = _tenure_status(0, 0, lo, lo_inc, hi, hi_inc)
    for i in range(out.shape[0]):
        out[i] = nobody if (all_known or known[i] == 1 or nobody != FAIL) else NEEDS_REVIEW
    prev = -1
    sure_days = sure_cov = sure_run = poss_days = poss_cov = poss_run = 0
    for r in range(person.shape[0]):
        p = person[r]
        if p != prev:  # the person's first spell
            sure_days = sure_cov = sure_run = poss_days = poss_cov = poss_run = 0
            prev = p
        st = start[r]
        possible = (st < until) & (all_ok | ok[r])
        unsure = st <= 0
        if in_jurisdiction:
            where = place[r]
            unsure |= where < 0
            possible &= (where < 0) | inside_ext[where]
        if full_time_only:
            ft = full_time[r]
            unsure |= ft < 0
            possible &= ft != 0
        if same_occupation:
            m, o = mine[p], occupation[r]
            unknown = (m < 0) | (o < 0)
            unsure |= unknown
            possible &= unknown | (m == o)
        a = first[r]
        b = min(stop_open[r], until)
        poss_days, poss_cov, poss_run = _count(possible, continuous, gap, a, b, poss_days, poss_cov, poss_run)
        sure_days, sure_cov, sure_run = _count(possible and not unsure, continuous, gap, a, b, sure_days, sure_cov,
                                               sure_run)
        status = _tenure_status(_days(continuous, until, sure_days, sure_cov, sure_run),
                                _days(continuous, until, poss_days, poss_cov, poss_run), lo, lo_inc, hi, hi_inc)
        if status == FAIL and not all_known and known[p] != 1:
            status = NEEDS_REVIEW
        out[p] = status  # the person's last row writes the final status
    return out


BLOCK = 4096  # people at a time: a block's masks and bit planes stay in the core's cache

# Eight people's statuses (0, 1 or 2, one byte each) as one uint64 word: the culprit masks are
# computed a word at a time with bit operations that never carry from one byte into the next
# (SWAR), in uint64 throughout (numba widens int8 arithmetic to int64, which does not vectorise).
ONES = np.uint64(0x0101010101010101)  # 1 in every byte
_1, _2 = np.uint64(1), np.uint64(2)


@njit(cache=True, nogil=True, inline="always")
def _equal(x, y):
    """1 in each byte where the bytes of x and y (each 0-3) are equal, else 0."""
    e = ~(x ^ y)
    return e & (e >> _1) & ONES


@njit(cache=True, nogil=True, inline="always")
def _words(block, spare, m):
    """The m bytes of `block` as uint64 words: a view when m is a multiple of 8, else a copy
    into `spare` padded with zeros (the last block of a range)."""
    if m % 8 == 0:
        return block.view(np.uint64)
    words = spare[:(m + 7) // 8]
    words[-1] = 0
    words.view(np.uint8)[:m] = block.view(np.uint8)
    return words


@njit(cache=True, nogil=True)
def culprits(statuses, depth, under_none_of, target_pass, soft, bit, top, fail, review, start, stop):
    """The culprit masks of engine.BatchResult.culprit_masks. The nodes of the tree are in
    preorder: `statuses[k]` (the address of an int8[N], see `addresses`) is node k's own status
    (manual clauses taken as passed), `depth[k]` its depth (the root, node 0, has depth 0), and
    for k > 0: `under_none_of[k]` whether its parent is a none_of, `target_pass[k]` whether the
    parent is judged against PASS (below a none_of) rather than the person's outcome `top`,
    `soft[k]` its `on_fail: needs_review`, `bit[k]` its bit in the masks (-1 none). A node is a
    cause where its parent is one and it hands the parent the parent's target (the child of a
    none_of: where it holds). People go in blocks, node by node within a block, eight people to
    a word; a subtree nobody in the block reaches is skipped. Only the people [start, stop) are
    done (threads may share the work)."""
    nodes, n = statuses.shape[0], top.shape[0]
    width = BLOCK // 8
    masks = np.empty((depth.max() + 1, width), np.uint64)  # per depth: 1 in the byte of a cause
    alive = np.zeros(depth.max() + 1, np.bool_)
    used = 1
    for k in range(nodes):
        used = max(used, bit[k] // 8 + 1)
    planes = np.zeros((used, width), np.uint64)  # byte p of plane j: bits 8j..8j+7 of person p's mask
    top_spare, own_spare = np.empty(width, np.uint64), np.empty(width, np.uint64)
    passed = np.uint64(PASS) * ONES
    for lo in range(start, stop, BLOCK):
        hi = min(lo + BLOCK, stop)
        m = hi - lo
        w = (m + 7) // 8
        tops = _words(top[lo:hi], top_spare, m)
        planes[:, :w] = 0
        root = masks[0, :w]
        for i in range(w):
            root[i] = _equal(tops[i], passed) ^ ONES  # the people who do not pass
        alive[0] = True
        _set_bit(planes, bit[0], root)
        for k in range(1, nodes):
            d = depth[k]
            if not alive[d - 1]:
                alive[d] = False
                continue
            own = _words(carray(_int8_pointer(statuses[k]), (n,))[lo:hi], own_spare, m)
            flip = under_none_of[k] and not target_pass[k]
            lift = ONES if soft[k] and not under_none_of[k] else np.uint64(0)  # soft: fail hands up needs_review
            value = np.uint64(NEEDS_REVIEW if under_none_of[k] else PASS) * ONES
            seen = _mark(own, masks[d - 1, :w], masks[d, :w], tops, flip, target_pass[k], lift, value)
            alive[d] = seen != 0
            if seen:
                _set_bit(planes, bit[k], masks[d, :w])
        out = fail[lo:hi]
        out[:] = 0
        for j in range(used):  # plane by plane (each loop vectorises)
            shift = 8 * j
            plane = planes[j].view(np.uint8)
            for p in range(m):
                out[p] |= np.int64(plane[p]) << shift
        rev, block_top = review[lo:hi], top[lo:hi]
        for p in range(m):
            word, t = out[p], block_top[p]
            out[p] = word if t == FAIL else 0
            rev[p] = word if t == NEEDS_REVIEW else 0


@njit(cache=True, nogil=True)
def _mark(own, parent, mask, top, flip, constant, lift, value):
    """mask = parent & (own status, lifted if soft, equals the target), word by word; returns
    whether any. Lifting (0 -> 1 where `lift`): x | (lift & ~(x | x >> 1))."""
    seen = np.uint64(0)
    if flip:  # own + top == PASS (bytes of at most 2: no carry)
        passed = np.uint64(PASS) * ONES
        for i in range(own.shape[0]):
            e = ~((own[i] + top[i]) ^ passed)
            hit = parent[i] & e & (e >> _1) & (e >> _2) & ONES
            mask[i] = hit
            seen |= hit
    elif constant:
        for i in range(own.shape[0]):
            x = own[i]
            hit = parent[i] & _equal(x | (lift & ~(x | (x >> _1))), value)
            mask[i] = hit
            seen |= hit
    else:
        for i in range(own.shape[0]):
            x = own[i]
            hit = parent[i] & _equal(x | (lift & ~(x | (x >> _1))), top[i])
            mask[i] = hit
            seen |= hit
    return seen


@njit(cache=True, nogil=True, inline="always")
def _set_bit(planes, b, mask):
    """Bit b of the people's masks where `mask` has 1 (bytes of 0 / 1: the shift stays in the byte)."""
    if b >= 0:
        plane = planes[b // 8]
        shift = np.uint64(b % 8)
        for i in range(mask.shape[0]):
            plane[i] |= mask[i] << shift


@njit(cache=True, nogil=True)
def raise_status(status, person, hit, maybe, has_maybe):
    """status[person[r]] = max(status[person[r]], PASS if hit[r] else NEEDS_REVIEW if maybe[r]):
    the `exists` family's scatter of qualifying (and possibly qualifying) rows onto their people,
    over the rows once (no index arrays built)."""
    for r in range(person.shape[0]):
        v = PASS if hit[r] else (NEEDS_REVIEW if has_maybe and maybe[r] else FAIL)
        if v > status[person[r]]:
            status[person[r]] = v
    return status


@njit(cache=True, nogil=True)
def put_where(out, person, where, values):
    """out[person[r]] = values[r] for the rows r where `where` (later rows win)."""
    for r in range(person.shape[0]):
        if where[r]:
            out[person[r]] = values[r]
    return out


@njit(cache=True, nogil=True)
def put_value(out, person, where, value):
    """out[person[r]] = value for the rows r where `where`."""
    for r in range(person.shape[0]):
        if where[r]:
            out[person[r]] = value
    return out


@njit(cache=True, nogil=True)
def working_age(birth, gender, post, adult_by, male_by, cadre_by, worker_by, out):
    """Status of "of working age" per person: adult (born on or before `adult_by`, an ordinal) and
    below the statutory retirement age of their scheme (born after `male_by` / `cadre_by` /
    `worker_by`: men, women in cadre posts, women in worker posts). Needs review when the birth
    date is unknown, or when gender or post leaves the scheme open and the schemes disagree."""
    for i in range(birth.shape[0]):
        b, g, q = birth[i], gender[i], post[i]
        adult = b <= adult_by
        male, fc, fw = b > male_by, b > cadre_by, b > worker_by
        working = (fc if q == 2 else fw) if g == 2 else male
        decided = (g == 1) | ((g == 2) & ((q > 0) | (fc == fw))) | ((g == 0) & (male == fc) & (fc == fw))
        decided = (b > 0) & (decided | (not adult))  # too young whatever the retirement age
        out[i] = NEEDS_REVIEW if not decided else (PASS if adult and working else FAIL)
    return out


@njit(cache=True, nogil=True)
def raise_by_org(status, person, sure, maybe, code, org, pass_maybe):
    """Raise status[person[r]] by the organisation of employment spell r: `code[org[r]]` (org -1:
    the last entry) 2 gives PASS where the spell surely runs (or may run, with `pass_maybe`), and
    1 or more gives NEEDS_REVIEW where it may run."""
    for r in range(person.shape[0]):
        s, m = sure[r], maybe[r]
        if not (s or m):
            continue
        c = code[org[r]]
        v = PASS if c >= 2 and (s or pass_maybe) else (NEEDS_REVIEW if c >= 1 else FAIL)
        if v > status[person[r]]:
            status[person[r]] = v
    return status


@njit(cache=True, nogil=True)
def attribute_status(status, person, verification, holds, start, end, value, place, level, on, values,
                     inside_ext, use_inside, has_min_level, min_level, mark_recorded):
    """The rows of one person attribute onto their people: PASS for a row not rejected that holds
    on `on` (and has one of `values`, a place inside the jurisdiction `inside_ext`, a level of at
    least `min_level`, each only if asked), NEEDS_REVIEW where only the level is unknown. With
    `mark_recorded`, the people with any row not rejected start from FAIL (the attribute is
    recorded for them: no holding row means no)."""
    if mark_recorded:
        for r in range(person.shape[0]):
            if verification[r] != 2:
                status[person[r]] = FAIL
    for r in range(person.shape[0]):
        if verification[r] == 2 or holds[r] != 1 or start[r] > on or (end[r] != 0 and end[r] < on):
            continue
        if values.shape[0]:
            found = False
            for v in values:
                found |= value[r] == v
            if not found:
                continue
        if use_inside and not inside_ext[place[r]]:
            continue
        v = PASS
        if has_min_level and level[r] < min_level:
            v = NEEDS_REVIEW if level[r] < 0 else FAIL
        if v > status[person[r]]:
            status[person[r]] = v
    return status


ALL_OF, ANY_OF, NONE_OF = 0, 1, 2  # group kinds of `combine_groups`


@njit(cache=True, nogil=True)
def combine_groups(addresses, n, out_slot, kind, soft, first, children, start, stop):
    """The own statuses of the group clauses of a tree, people [start, stop) by blocks. Slots are
    int8[N] arrays by address (see `addresses`): leaves filled, groups to fill. Groups come in
    postorder: group g writes slot out_slot[g] from the slots children[first[g]:first[g + 1]]
    (already the statuses they hand up): all_of the minimum, any_of the maximum, none_of PASS minus
    the maximum (Kleene logic); a soft group (`on_fail: needs_review`) turns its fail into
    needs_review."""
    for lo in range(start, stop, BLOCK):
        hi = min(lo + BLOCK, stop)
        for g in range(out_slot.shape[0]):
            out = carray(_int8_pointer(addresses[out_slot[g]]), (n,))[lo:hi]
            out[:] = carray(_int8_pointer(addresses[children[first[g]]]), (n,))[lo:hi]
            for j in range(first[g] + 1, first[g + 1]):
                child = carray(_int8_pointer(addresses[children[j]]), (n,))[lo:hi]
                if kind[g] == ALL_OF:
                    for p in range(hi - lo):
                        out[p] = min(out[p], child[p])
                else:
                    for p in range(hi - lo):
                        out[p] = max(out[p], child[p])
            if kind[g] == NONE_OF:
                for p in range(hi - lo):
                    out[p] = np.int8(PASS - out[p])
            if soft[g]:
                for p in range(hi - lo):
                    out[p] = max(out[p], np.int8(NEEDS_REVIEW))  # 0 -> 1; 1 and 2 stay


@njit(cache=True, nogil=True)
def current_spells(start, end, verification, all_ok, on, sure, maybe):
    """The employment spells running on the ordinal `on`, not rejected: `sure` where the start is
    known (on or before `on`), `maybe` where it is unknown (0); an end of 0 is open. Bit
    operations, not branches: which spells run is data, and mispredicted branches cost more."""
    for r in range(start.shape[0]):
        st, en = start[r], end[r]
        running = ((en == 0) | (en >= on)) & (all_ok | (verification[r] != 2))
        sure[r] = running & (st > 0) & (st <= on)
        maybe[r] = running & (st == 0)


@njit(cache=True, nogil=True)
def current_post(status, person, sure, maybe, frontline, use_frontline, place, inside_ext, use_place,
                 occupation, codes, use_codes, row_status):
    """Raise status[person[r]] by the running spells r (`sure`, `maybe`: kernels.current_spells):
    PASS for a spell surely running and known to be on the front line / in the jurisdiction / in
    one of the occupations `codes` (each only if asked), NEEDS_REVIEW for one that may run and of
    which none of these is known false. When `row_status` is as long as the spells, each spell's
    value is written there too (the evidence rows of an explanation). Branch-free per spell:
    hit <= possible, so their sum is the status."""
    keep_rows = row_status.shape[0] == person.shape[0]
    for r in range(person.shape[0]):
        hit = np.int8(sure[r])
        possible = hit | np.int8(maybe[r])
        if use_frontline:
            f = frontline[r]
            hit &= np.int8(f == 1)
            possible &= np.int8(f != 0)
        if use_place:
            w = place[r]
            inside = np.int8(inside_ext[w])
            hit &= inside
            possible &= inside | np.int8(w < 0)
        if use_codes:
            o = occupation[r]
            same = np.int8(0)
            for c in codes:
                same |= np.int8(o == c)
            hit &= same
            possible &= same | np.int8(o < 0)
        v = np.int8(hit + possible)
        if keep_rows:
            row_status[r] = v
        p = person[r]
        status[p] = max(status[p], v)
    return status


@njit(cache=True, nogil=True)
def insured_months(status, person, org, place, ok, first, last, inside_ext, org_ok, use_org, lo, hi, need):
    """PASS for the people whose insurance runs (facts.InsuranceRuns: sorted by person, then first
    month) not rejected, in the jurisdiction (`inside_ext` by place, -1 the last entry) and, with
    `use_org`, at an organisation with `org_ok`, cover at least `need` distinct months of the
    months lo..hi (numbers, inclusive); a month insured twice counts once."""
    prev, covered, total = -1, 0, 0
    for r in range(person.shape[0]):
        p = person[r]
        if p != prev:
            prev, covered, total = p, lo - 1, 0
        if not ok[r] or not inside_ext[place[r]] or (use_org and not org_ok[org[r]]):
            continue
        a, b = max(first[r], covered + 1), min(last[r], hi)
        if b >= a:
            total += b - a + 1
            covered = b
            if total >= need:
                status[p] = PASS
    return status


@njit(cache=True, nogil=True)
def count_up(first, counts, out):
    """first[i], first[i] + 1, …, counts[i] values for each i, one after another, into `out`
    (the months of insurance periods, each period expanded into its months)."""
    j = 0
    for i in range(first.shape[0]):
        v = first[i]
        for k in range(counts[i]):
            out[j] = v + k
            j += 1
    return out


@njit(cache=True, nogil=True)
def groups_then_culprits(addresses, n, out_slot, kind, soft, first, children,
                         statuses, depth, under_none_of, target_pass, soft_nodes, bit, top, fail, review, start, stop):
    """combine_groups, then culprits, block by block: a block's culprit masks read the statuses
    its groups have just read and written, from the cache instead of memory."""
    for lo in range(start, stop, BLOCK):
        hi = min(lo + BLOCK, stop)
        combine_groups(addresses, n, out_slot, kind, soft, first, children, lo, hi)
        culprits(statuses, depth, under_none_of, target_pass, soft_nodes, bit, top, fail, review, lo, hi)


@njit(cache=True, nogil=True)
def at_least(status, person, hit, maybe, has_maybe, k):
    """PASS for the people with at least k `hit` rows, else NEEDS_REVIEW for those with at least k
    rows `hit` or `maybe` (disjoint masks); the others keep their status. Counts stop at k."""
    n = status.shape[0]
    sure, possible = np.zeros(n, np.uint16), np.zeros(n, np.uint16)
    cap = np.uint16(min(k, 65535))
    for r in range(person.shape[0]):
        p = person[r]
        h = np.uint16(hit[r])
        m = np.uint16(has_maybe and maybe[r])
        sure[p] = min(sure[p] + h, cap)
        possible[p] = min(possible[p] + h + m, cap)
    for i in range(n):
        status[i] = PASS if sure[i] >= cap else (NEEDS_REVIEW if possible[i] >= cap else status[i])
    return status
