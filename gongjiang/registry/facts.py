"""Build the policy engine's columnar `Facts` (gongjiang.policy.facts) from the registry database.

No ORM objects per person: every table is one SQL query whose columns are already integers
(dates as ordinals, months as year*12+month-1, codes via CASE or a VALUES join), read straight
into numpy. On PostgreSQL each table arrives as one server-side aggregated bytea of big-endian
integers (np.frombuffer, no Python object per value); on SQLite through the DB-API cursor. The selection of people is any Person queryset (an officer's
scope, a single person): evaluating one person is a batch of one through the same code.

Completeness: the registry is the record of reference for the people it holds, so every event table
is marked complete (`known_<table>` = 1) for every selected person: no row means "none".

Social insurance is stored as periods and expanded here into the contract's one row per month,
only for the months in `insurance_months` (first, last month numbers, inclusive) when given:
screening passes the window the policy's `insured_employment` clauses can look at.
"""
from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from django.db import connection

from gongjiang.accounts.models import Organisation
from gongjiang.core.vocab import JURISDICTION_KINDS, OrgKind
from gongjiang.policy import kernels
from gongjiang.policy.facts import EVENT_TABLES, SCHEMA, SECTORS, Facts, RefLabels, Table

from .models import (
    CreditKind,
    EmployerAttribute,
    EmployerRecordKind,
    InnovationKind,
    Person,
    ProgrammeCode,
    TitleCode,
)

PARALLEL_QUERIES = 4
PARALLEL_FROM = 20_000  # people; below this one connection is faster
SOURCE_SQL = ("CASE {t}.source WHEN 'self' THEN 1 WHEN 'employer' THEN 2 WHEN 'imported' THEN 3 "
              "WHEN 'registry' THEN 4 ELSE 0 END")
VERIFICATION_SQL = "CASE {t}.verification WHEN 'verified' THEN 1 WHEN 'rejected' THEN 2 ELSE 0 END"
ORG_KIND_SECTOR = {
    OrgKind.ENTERPRISE: SECTORS["enterprise"], OrgKind.DEPARTMENT: SECTORS["government"],
    OrgKind.INSTITUTION: SECTORS["institution"], OrgKind.SCHOOL: SECTORS["institution"],
    OrgKind.ASSOCIATION: SECTORS["social_org"],
}
# Vocabulary words, in code order, of the coded columns with a fixed set of values.
RECORD_WORDS = list(CreditKind.values)
ORG_RECORD_WORDS = list(EmployerRecordKind.values)
ACHIEVEMENT_WORDS = list(InnovationKind.values)
CERT_KIND_CODES = {"qualification": 1, "skill_level": 2, "farmer_title": 3, "special": 4}
STUDIO_KIND_CODES = {"master_studio": 1, "high_skill_station": 2}


def _is_pg():
    return connection.vendor == "postgresql"


def date_sql(col):
    """A DATE column as its proleptic Gregorian ordinal (datetime.date.toordinal), NULL -> 0."""
    if _is_pg():
        return f"COALESCE(({col} - DATE '0001-01-01') + 1, 0)"
    return f"COALESCE(CAST(julianday({col}) - 1721424.5 AS INTEGER), 0)"


def month_of_ordinal(ordinal: np.ndarray) -> np.ndarray:
    """Month numbers (year * 12 + month - 1) of date ordinals, vectorised (numpy's calendar: the
    server's EXTRACT returns numeric and cost more than the rest of the insurance query)."""
    days = (np.asarray(ordinal, dtype=np.int64) - dt.date(1970, 1, 1).toordinal()).astype("datetime64[D]")
    return days.astype("datetime64[M]").astype(np.int64) + 1970 * 12


def flag_sql(col):
    """A nullable boolean as 1 / 0 / -1 (unknown)."""
    return f"COALESCE(CAST({col} AS INTEGER), -1)"


def case_sql(col, words, default=-1):
    """A coded text column as the index of its value in `words`."""
    whens = " ".join(f"WHEN '{w}' THEN {i}" for i, w in enumerate(words))
    return f"CASE {col} {whens} ELSE {default} END"


def fetch_int_columns(sql: str, params, ncols: int, small=()) -> np.ndarray:
    """Run `sql` (every column an integer, no NULLs) and return an (n, ncols) int64 array.
    `small`: indices of columns expected to fit a smallint (codes, flags, levels)."""
    if _is_pg():
        return _fetch_pg(sql, params, ncols, small, False)[0]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    if not rows:
        return np.zeros((0, ncols), dtype=np.int64)
    return np.array(rows, dtype=np.int64).reshape(len(rows), ncols)


def fetch_int_columns_and_words(sql: str, params, ncols: int, small=()) -> tuple[np.ndarray, list[str]]:
    """PostgreSQL only: like fetch_int_columns, where `sql` has one more column, a text column
    (without the unit separator U+001F), returned as a list of strings in the same row order."""
    return _fetch_pg(sql, params, ncols, small, True)


def _fetch_pg(sql, params, ncols, small, text):
    from django.db import transaction

    try:
        if connection.in_atomic_block:
            with transaction.atomic():  # a savepoint: an out-of-range value falls back below
                return _fetch_packed(sql, params, ncols, small, text=text)
        return _fetch_packed(sql, params, ncols, small, text=text)
    except _OutOfRange:
        return _fetch_packed(sql, params, ncols, small, wide=True, text=text)


class _OutOfRange(Exception):
    pass


def _fetch_packed(sql, params, ncols, small, wide=False, text=False) -> tuple[np.ndarray, list[str] | None]:
    """PostgreSQL: the rows as one bytea of big-endian int8s aggregated server-side (one message
    instead of one per row: COPY TO sends a message per row, and reading those dominated). Each
    int8 carries four smallint columns or two integer columns: on the server every value costs a
    send and a concatenation, so fewer, fuller int8s read the table faster (a million people's
    person rows: 7 sends 2.0 s, 3 sends about 1.1 s). The casts check the ranges: a value out of
    range raises, and the caller reads that query again one int8 per column (`wide`). With `text`,
    column `ncols` of `sql` is text, aggregated in the same pass (same row order) with U+001F
    between values: a free-text column's codes then need no second query."""
    import psycopg

    if wide:
        groups = [[("int8", i)] for i in range(ncols)]
    else:
        shorts = [i for i in range(ncols) if i in small]
        ints = [i for i in range(ncols) if i not in small]
        groups = [[("int2", i) for i in shorts[k:k + 4]] for k in range(0, len(shorts), 4)] + \
                 [[("int4", i) for i in ints[k:k + 2]] for k in range(0, len(ints), 2)]
    parts = []
    for group in groups:
        if group[0][0] == "int8":
            parts.append(f"int8send(q.c{group[0][1]}::bigint)")
            continue
        bits, mask, cast = (16, 65535, "smallint") if group[0][0] == "int2" else (32, 4294967295, "int")
        terms = []
        for k, (_, i) in enumerate(group):
            shift = 64 - bits * (k + 1)
            value = f"q.c{i}::{cast}::bigint" + ("" if k == 0 else f" & {mask}")
            terms.append(f"(({value}) << {shift})" if shift else f"({value})")
        parts.append(f"int8send({' | '.join(terms)})")
    words_sql = f", string_agg(q.c{ncols}, E'\\x1f')" if text else ""
    statement = f"SELECT string_agg({' || '.join(parts)}, ''::bytea){words_sql} FROM ({sql}) AS q"
    connection.ensure_connection()
    try:
        with psycopg.Cursor(connection.connection) as cur:  # server-side binding: binary results
            cur.execute(statement, params, binary=True)
            row = cur.fetchone()
    except psycopg.errors.NumericValueOutOfRange as e:
        if wide:
            raise
        raise _OutOfRange() from e
    data = row[0]
    texts = (row[1].split("\x1f") if row[1] is not None else []) if text else None
    if not data:
        return np.zeros((0, ncols), dtype=np.int64), texts
    words = np.frombuffer(data, dtype=">i8").astype(np.int64).reshape(-1, len(groups))
    out = np.empty((len(words), ncols), dtype=np.int64)
    for g, group in enumerate(groups):
        word = words[:, g]
        if group[0][0] == "int8":
            out[:, group[0][1]] = word
            continue
        bits = 16 if group[0][0] == "int2" else 32
        for k, (_, i) in enumerate(group):
            shift = 64 - bits * (k + 1)
            # the field's bits, sign-extended: shift it to the top, then arithmetic shift down
            out[:, i] = (word << (64 - bits - shift)) >> (64 - bits)
    return out, texts


def _expand(values, counts, dtype) -> np.ndarray:
    """A period's values on each of its months, as `dtype` (narrowed per period, then repeated)."""
    return np.repeat(np.asarray(values, dtype=dtype), counts)


def small_columns(columns) -> set[int]:
    """Indices of the column expressions that are codes, flags or levels (smallint range)."""
    out = set()
    for i, expr in enumerate(columns):
        e = expr.strip()
        if e.startswith(("CASE", "COALESCE(CAST(")) or e in ("0", "-1") or \
                e.split(".")[-1].rstrip(")").split(",")[0] in ("level", "klass", "rank", "grade") or \
                e.startswith("COALESCE(a.level") or e.startswith("COALESCE(a.apprentice_certificate_level"):
            out.add(i)
    return out


def _id_batches(pks: list[int]) -> list:
    """`pks` for `pk__in` lookups: on PostgreSQL one array parameter (a query with thousands of
    parameters costs more to compose than to run), elsewhere lists of at most 5000."""
    if not pks:
        return []
    if _is_pg():
        from django.db.models.expressions import RawSQL

        return [RawSQL("SELECT unnest(%s::bigint[])", ["{" + ",".join(str(int(pk)) for pk in pks) + "}"])]
    return [pks[i:i + 5000] for i in range(0, len(pks), 5000)]


def _select(columns: list[str], rest: str) -> str:
    return "SELECT " + ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(columns)) + " " + rest


class SortedIndex:
    """np.searchsorted(refs, keys) for sorted, nearly dense integer `refs` (primary keys) as one
    gather from a table over the key range instead of a binary search per key (the person index of
    a million insurance rows); falls back to searchsorted when the keys are sparse."""

    def __init__(self, refs: np.ndarray):
        self.refs = refs
        self.table = None
        if len(refs):
            lo, hi = int(refs[0]), int(refs[-1])
            if hi - lo + 1 <= 4 * len(refs) + 1024:
                self.lo = lo
                self.table = np.searchsorted(refs, np.arange(lo, hi + 1, dtype=np.int64)).astype(np.int64)

    def __call__(self, keys) -> np.ndarray:
        keys = np.asarray(keys, dtype=np.int64)
        if self.table is None:
            return np.searchsorted(self.refs, keys)
        pos = keys - self.lo
        inside = (pos >= 0) & (pos < len(self.table))
        if inside.all():
            return self.table[pos]
        return np.where(inside, self.table[np.clip(pos, 0, len(self.table) - 1)],
                        np.where(pos < 0, 0, len(self.refs)))


class _Vocab:
    def __init__(self):
        self.words: dict[str, list[str]] = {}
        self.index: dict[str, dict[str, int]] = {}

    def fixed(self, name, words):
        self.words[name] = list(words)
        self.index[name] = {w: i for i, w in enumerate(words)}

    def add(self, name, word):
        idx = self.index.setdefault(name, {})
        if word not in idx:
            idx[word] = len(self.words.setdefault(name, []))
            self.words[name].append(word)
        return idx[word]


class FactsBuilder:
    """One build over a selection of people. `people` is a Person queryset."""

    def __init__(self, people, *, insurance_months: tuple[int, int] | None = None, labels: str = "ids",
                 pk_range: tuple[int, int] | None = None, tables: set[str] | None = None, pks=None):
        """`pk_range` (lo, hi): the caller guarantees that `people` is exactly the people with
        lo <= pk <= hi, so fact rows are selected by a range on their person column (no semi-join).
        `pks`: else the caller may pass the selected people's pks (exactly `people`): on PostgreSQL
        the rows are then selected by one array parameter instead of `people`'s query, which every
        table's query would evaluate again (a screening shard: people_in_org's subqueries)."""
        self.pk_range = pk_range
        self.pk_count = len(pks) if pks is not None else None
        self.pks_param = None
        # The event tables to read (None: all); the others stay empty (screening passes the tables
        # its policy reads: gongjiang.policy.engine.tables_used).
        self.methods = tuple(m for m in self.EVENT_METHODS if tables is None or m in tables)
        if pk_range:
            self.people_sql, self.people_params = "SELECT id FROM registry_person WHERE id BETWEEN %s AND %s", \
                list(pk_range)
        elif pks is not None and _is_pg():
            self.pks_param = "{" + ",".join(str(int(pk)) for pk in pks) + "}"
            self.people_sql, self.people_params = "SELECT unnest(%s::bigint[])", [self.pks_param]
        else:
            self.people_sql, self.people_params = people.order_by().values("pk").query.sql_with_params()
        self._lock = threading.Lock()
        self.employer_pks: set = set()
        self.insurance_months = insurance_months
        self.labels_mode = labels
        self.vocab = _Vocab()
        self.vocab.fixed("record", RECORD_WORDS)
        self.vocab.fixed("org_record", ORG_RECORD_WORDS)
        self.vocab.fixed("achievement", ACHIEVEMENT_WORDS)

    # --- helpers -------------------------------------------------------------------------------
    def selected(self, alias, person_col="person_id"):
        """(SQL condition, params) selecting the rows of the selected people."""
        if self.pk_range:
            return f"{alias}.{person_col} BETWEEN %s AND %s", list(self.pk_range)
        if self.pks_param is not None:  # the person column's index, not a scan of the table
            return f"{alias}.{person_col} = ANY(%s::bigint[])", [self.pks_param]
        return f"{alias}.{person_col} IN ({self.people_sql})", list(self.people_params)

    def q(self, columns, table, alias, person_col="person_id", join="", join_params=()):
        cond, params = self.selected(alias, person_col)
        sql = _select(columns, f"FROM {table} {alias} {join} WHERE {cond}")
        return fetch_int_columns(sql, list(join_params) + params, len(columns), small_columns(columns))

    def common(self, alias):
        return [f"{alias}.id", SOURCE_SQL.format(t=alias), VERIFICATION_SQL.format(t=alias)]

    def person_index(self, person_pks):
        return self._person_index(person_pks).astype(np.int32)

    def word_codes(self, table, alias, column, vocab_name, person_col="person_id"):
        """Codes for a free-text column: distinct values first, then a VALUES join.
        Returns (expression, join clause, join params)."""
        cond, params = self.selected(alias, person_col)
        with connection.cursor() as cur:
            cur.execute(f"SELECT DISTINCT {alias}.{column} FROM {table} {alias} WHERE {cond} AND {alias}.{column} <> ''",
                        params)
            words = sorted(r[0] for r in cur.fetchall())
        if not words:
            return "-1", "", []
        with self._lock:
            codes = [self.vocab.add(vocab_name, w) for w in words]
        values = ", ".join("(%s, %s)" for _ in words)
        join_params = [x for w, c in zip(words, codes) for x in (w, c)]
        if _is_pg():
            join = f"LEFT JOIN (VALUES {values}) AS v_{column}(w, i) ON v_{column}.w = {alias}.{column}"
        else:
            join = (f"LEFT JOIN (SELECT column1 AS w, column2 AS i FROM (VALUES {values}) AS vv) AS v_{column} "
                    f"ON v_{column}.w = {alias}.{column}")
        return f"COALESCE(v_{column}.i, -1)", join, join_params

    def q_words(self, columns, table, alias, column, vocab_name, position, person_col="person_id"):
        """Like q, with `columns[position]` replaced by the vocabulary code of free-text `column`.
        On PostgreSQL the column's text comes with the rows (one query, no DISTINCT pass) and is
        coded here: the distinct non-empty words in sorted order, as word_codes does."""
        if _is_pg():
            cond, params = self.selected(alias, person_col)
            cols = list(columns)
            cols[position] = "0"
            sql = _select([*cols, f"replace(COALESCE({alias}.{column}, ''), E'\\x1f', ' ')"],
                          f"FROM {table} {alias} WHERE {cond}")
            a, words = fetch_int_columns_and_words(sql, params, len(cols), small_columns(cols))
            distinct = sorted(set(words) - {""})
            with self._lock:
                index = {w: self.vocab.add(vocab_name, w) for w in distinct}
            a[:, position] = [index.get(w, -1) for w in words]
            return a
        expr, join, join_params = self.word_codes(table, alias, column, vocab_name, person_col)
        cols = list(columns)
        cols[position] = expr
        return self.q(cols, table, alias, person_col, join=join, join_params=join_params)

    def named_codes(self, table, alias, choices, vocab_name):
        """Title / programme words: the row's own name when it has one, else the label of its code."""
        labels = dict(choices)
        with self._lock:
            for w in labels.values():
                self.vocab.add(vocab_name, w)
            index = dict(self.vocab.index[vocab_name])
        code_expr = "CASE " + " ".join(f"WHEN {alias}.code = '{c}' THEN {index[label]}" for c, label in labels.items()) \
            + " ELSE -1 END"
        expr = f"CASE WHEN {alias}.name <> '' THEN -2 ELSE {code_expr} END"
        return expr

    def patch_names(self, table, alias, arr, refs, vocab_name):
        todo = arr == -2
        if not todo.any():
            return arr
        cond, params = self.selected(alias)
        with connection.cursor() as cur:
            cur.execute(f"SELECT {alias}.id, {alias}.name FROM {table} {alias} WHERE {alias}.name <> '' AND {cond}",
                        params)
            named = dict(cur.fetchall())
        with self._lock:
            for row in np.nonzero(todo)[0]:
                arr[row] = self.vocab.add(vocab_name, named[int(refs[row])])
        return arr

    # --- tables --------------------------------------------------------------------------------
    EVENT_METHODS = ("employment", "insurance", "certificates", "competitions", "titles", "achievements",
                     "apprentices", "studios", "programmes", "records", "attributes")

    def build(self, *, parallel: bool | None = None) -> Facts:
        """Tables are fetched concurrently (one database connection per thread) on PostgreSQL when
        the selection is large and no transaction is open (other connections could not see it)."""
        self.places()
        jobs = ("person",) + self.methods
        if parallel is None:
            parallel = _is_pg() and not connection.in_atomic_block and self._large()
        if parallel:
            with ThreadPoolExecutor(max_workers=PARALLEL_QUERIES) as pool:
                built = dict(zip(jobs, pool.map(self._in_thread, jobs)))
        else:
            built = {job: getattr(self, job)() for job in jobs}
        tables = {"places": self.places_table, "person": built.pop("person"), **built}
        periods = getattr(self, "insurance_periods", None)
        for name in self.methods:  # rows carry person pks until the person table is known
            if name != "insurance":
                tables[name].columns["person"] = self.person_index(tables[name].columns["person"])
        if periods is not None:
            tables["insurance"].columns["person"] = _expand(self.person_index(periods["person"]), periods["counts"],
                                                            np.int32)
        tables["orgs"], tables["org_records"], tables["org_attributes"] = self.orgs()
        tables["attestations"] = Table.empty("attestations")
        # Employment and insurance point at orgs by registry pk until here; remap to indices.
        if "employment" in tables:
            tables["employment"].columns["org"] = self.org_index(tables["employment"].columns["org"])
        if periods is not None:
            tables["insurance"].columns["org"] = _expand(self.org_index(periods["org"]), periods["counts"], np.int32)
            del self.insurance_periods
        for name, table in tables.items():
            _fill_missing(name, table)
        facts = Facts(n=len(self.person_refs), tables=tables, vocab=self.vocab.words, labels=self.labels(),
                      org_names=self.org_names, place_paths=self.place_paths, attestation_reasons=[])
        return facts.check()

    def _large(self):
        if self.pk_count is not None:
            return self.pk_count >= PARALLEL_FROM
        return bool(self.pk_range) and self.pk_range[1] - self.pk_range[0] >= PARALLEL_FROM

    def _in_thread(self, job):
        from django.db import connections

        try:
            return getattr(self, job)()
        finally:
            connections.close_all()

    def places(self):
        orgs = list(Organisation.objects.filter(kind__in=list(JURISDICTION_KINDS)).order_by("path")
                    .values_list("pk", "parent_id", "name"))
        index = {pk: i for i, (pk, _, _) in enumerate(orgs)}
        paths = []
        parent = np.full(len(orgs), -1, dtype=np.int32)
        for i, (pk, parent_pk, name) in enumerate(orgs):
            if parent_pk in index:
                parent[i] = index[parent_pk]
                paths.append(paths[parent[i]] + "/" + name)
            else:
                paths.append(name)
        self.place_paths = paths
        self.place_of_org_pk = index
        self.places_table = Table("places", {"parent": parent,
                                             "ref": np.array([o[0] for o in orgs], dtype=np.int64)})
        max_pk = max(index, default=0)
        self.place_lookup = np.full(max_pk + 2, -1, dtype=np.int32)
        for pk, i in index.items():
            self.place_lookup[pk] = i

    def place_index(self, org_pks):
        org_pks = np.asarray(org_pks, dtype=np.int64)
        ok = (org_pks >= 0) & (org_pks < len(self.place_lookup))
        out = np.full(len(org_pks), -1, dtype=np.int32)
        out[ok] = self.place_lookup[org_pks[ok]]
        return out

    def person(self):
        cols = ["p.id", date_sql("p.birth_date"), "CASE p.gender WHEN 'M' THEN 1 WHEN 'F' THEN 2 ELSE 0 END",
                "CASE p.post_category WHEN 'worker' THEN 1 WHEN 'cadre' THEN 2 ELSE 0 END", "p.jurisdiction_id",
                SOURCE_SQL.format(t="p"), VERIFICATION_SQL.format(t="p")]
        if self.pk_range or self.pks_param is not None:
            cond, params = self.selected("p", "id")
            sql = _select(cols, f"FROM registry_person p WHERE {cond}")
        else:
            sql, params = _select(cols, f"FROM registry_person p WHERE p.id IN ({self.people_sql})"), self.people_params
        a = fetch_int_columns(sql, params, len(cols), small_columns(cols))
        a = a[np.argsort(a[:, 0], kind="stable")]
        n = len(a)
        self.person_refs = a[:, 0].copy()
        self._person_index = SortedIndex(self.person_refs)
        src = a[:, 5].astype(np.int8)
        # Birth date and gender come from the ID number: department-grade (4) once the person is verified.
        src_birth = np.where(a[:, 6] == 1, np.int8(4), src).astype(np.int8)
        cols = {"ref": self.person_refs, "birth": a[:, 1].astype(np.int32), "gender": a[:, 2].astype(np.int8),
                "post_category": a[:, 3].astype(np.int8), "residence": self.place_index(a[:, 4]),
                "src_birth": src_birth, "src_post_category": src, "src_residence": src}
        for t in EVENT_TABLES:
            cols[f"known_{t}"] = np.ones(n, dtype=np.int8)
        return Table("person", cols)

    def _table(self, name, arr, mapping):
        """Columns of `arr` to the contract's dtypes; `mapping` names arr's columns in order."""
        spec = SCHEMA[name]
        cols = {}
        for i, col in enumerate(mapping):
            if col == "person":
                cols[col] = arr[:, i].copy()  # person pks; mapped to indices in build()
            else:
                cols[col] = arr[:, i].astype(spec[col])
        for col, dtype in spec.items():
            cols.setdefault(col, np.zeros(len(arr), dtype=dtype))
        return Table(name, cols)

    def employment(self):
        cols = [*self.common("e"), "e.person_id", "e.employer_id", "e.jurisdiction_id", date_sql("e.start"),
                date_sql("e.\"end\""), flag_sql("e.frontline"), "0", flag_sql("e.full_time")]
        a = self.q_words(cols, "registry_employment", "e", "post", "occupation", 9)
        t = self._table("employment", a, ["ref", "source", "verification", "person", "org", "place", "start", "end",
                                          "frontline", "occupation", "full_time"])
        t.columns["place"] = self.place_index(a[:, 5])
        with self._lock:
            self.employer_pks |= set(np.unique(a[:, 4]).tolist())
        return t

    def insurance(self):
        cols = [*self.common("s"), "s.person_id", "COALESCE(s.employer_id, -1)", "s.jurisdiction_id",
                date_sql("s.first_month"), date_sql("s.last_month")]
        a = self.q(cols, "registry_socialinsuranceperiod", "s")
        first, last = month_of_ordinal(a[:, 6]), month_of_ordinal(a[:, 7])
        if self.insurance_months:
            lo, hi = self.insurance_months
            first, last = np.maximum(first, lo), np.minimum(last, hi)
        counts = np.maximum(last - first + 1, 0)
        total = int(counts.sum())
        with self._lock:
            self.employer_pks |= set(np.unique(a[:, 4][a[:, 4] >= 0]).tolist())
        # person and org stay per period (pks) until build() maps them to indices, then expands
        # them: mapping the periods is a tenth of the work of mapping the months.
        self.insurance_periods = {"counts": counts, "person": a[:, 3], "org": a[:, 4]}
        return Table("insurance", {
            "source": _expand(a[:, 1], counts, np.int8), "verification": _expand(a[:, 2], counts, np.int8),
            "ref": _expand(a[:, 0], counts, np.int64), "place": _expand(self.place_index(a[:, 5]), counts, np.int32),
            "month": kernels.count_up(first.astype(np.int32), counts, np.empty(total, np.int32)),
        })

    def orgs(self):
        pks = sorted(pk for pk in self.employer_pks if pk >= 0)
        rows = []
        for part in _id_batches(pks):
            rows += list(Organisation.objects.filter(pk__in=part).values_list(
                "pk", "name", "kind", "is_large_enterprise", "path", "employer_profile__is_government"))
        rows.sort()
        self.org_refs = np.array([r[0] for r in rows], dtype=np.int64)
        self._org_index = SortedIndex(self.org_refs)
        self.org_names = [r[1] for r in rows]
        sector = np.array([SECTORS["government"] if r[5] else ORG_KIND_SECTOR.get(r[2], 0) for r in rows],
                          dtype=np.int8)
        place = np.array([self._nearest_place(r[4]) for r in rows], dtype=np.int32)
        orgs = Table("orgs", {"ref": self.org_refs, "sector": sector,
                              "large": np.array([int(r[3]) for r in rows], dtype=np.int8), "place": place})
        recs = []
        cols = ["r.organisation_id", case_sql("r.kind", ORG_RECORD_WORDS), date_sql("r.start"),
                date_sql("r.\"end\""), SOURCE_SQL.format(t="r"), VERIFICATION_SQL.format(t="r"), "r.id"]
        for part in _id_batches(pks):
            if hasattr(part, "params"):  # PostgreSQL: the array parameter
                cond, params = "r.organisation_id = ANY(%s::bigint[])", list(part.params)
            else:
                cond, params = f"r.organisation_id IN ({', '.join(['%s'] * len(part))})", list(part)
            recs.append(fetch_int_columns(_select(cols, f"FROM registry_employerrecord r WHERE {cond} ORDER BY r.id"),
                                          params, len(cols), small_columns(cols)))
        a = np.concatenate(recs) if recs else np.zeros((0, 7), dtype=np.int64)
        org_records = Table("org_records", {
            "org": self.org_index(a[:, 0]), "kind": a[:, 1].astype(np.int32), "start": a[:, 2].astype(np.int32),
            "end": a[:, 3].astype(np.int32), "source": a[:, 4].astype(np.int8),
            "verification": a[:, 5].astype(np.int8), "ref": a[:, 6]})
        return orgs, org_records, self.org_attributes(pks)

    def org_attributes(self, pks):
        rows = []
        for part in _id_batches(pks):
            rows += list(EmployerAttribute.objects.filter(organisation_id__in=part).values_list(
                "organisation_id", "attribute", "holds", "value", "level", "start", "end", "source",
                "verification", "pk"))
        with self._lock:
            attr = [self.vocab.add("attribute", r[1]) for r in rows]
            value = [self.vocab.add("attribute_value", r[3]) if r[3] else -1 for r in rows]
        source = {"self": 1, "employer": 2, "imported": 3, "registry": 4}
        verification = {"verified": 1, "rejected": 2}
        n = len(rows)
        return Table("org_attributes", {
            "org": self.org_index([r[0] for r in rows]), "attr": np.array(attr, np.int32),
            "holds": np.array([int(r[2]) for r in rows], np.int8), "value": np.array(value, np.int32),
            "place": np.full(n, -1, np.int32), "level": np.array([-1 if r[4] is None else r[4] for r in rows], np.int8),
            "start": np.array([r[5].toordinal() if r[5] else 0 for r in rows], np.int32),
            "end": np.array([r[6].toordinal() if r[6] else 0 for r in rows], np.int32),
            "source": np.array([source.get(r[7], 0) for r in rows], np.int8),
            "verification": np.array([verification.get(r[8], 0) for r in rows], np.int8),
            "ref": np.array([r[9] for r in rows], np.int64)})

    def _nearest_place(self, path):
        for pk in reversed([int(x) for x in path.strip("/").split("/") if x]):
            if pk in self.place_of_org_pk:
                return self.place_of_org_pk[pk]
        return -1

    def org_index(self, org_pks):
        org_pks = np.asarray(org_pks, dtype=np.int64)
        idx = self._org_index(org_pks)
        found = (idx < len(self.org_refs)) & (org_pks >= 0)
        found[found] = self.org_refs[idx[found]] == org_pks[found]
        return np.where(found, idx, -1).astype(np.int32)

    def certificates(self):
        cols = [*self.common("c"), "c.person_id", "c.level", case_sql("c.kind", [""] + list(CERT_KIND_CODES), 0),
                "0", date_sql("c.issued_on")]
        a = self.q_words(cols, "registry_certificate", "c", "occupation", "occupation", 6)
        return self._table("certificates", a, ["ref", "source", "verification", "person", "level", "kind",
                                               "occupation", "issued"])

    def competitions(self):
        cols = [*self.common("c"), "c.person_id", "c.level", "c.klass", "c.rank", date_sql("c.held_on"), "0"]
        a = self.q_words(cols, "registry_competitionresult", "c", "occupation", "occupation", 8)
        return self._table("competitions", a, ["ref", "source", "verification", "person", "level", "klass", "rank",
                                               "date", "occupation"])

    def titles(self):
        cols = [*self.common("t"), "t.person_id", self.named_codes("registry_titleaward", "t", TitleCode.choices,
                                                                     "title"),
                "t.level", date_sql("t.awarded_on"), date_sql("t.expires_on"), "0"]
        a = self.q_words(cols, "registry_titleaward", "t", "issuer", "issuer", 8)
        a[:, 4] = self.patch_names("registry_titleaward", "t", a[:, 4].copy(), a[:, 0], "title")
        t = self._table("titles", a, ["ref", "source", "verification", "person", "title", "level", "start", "end",
                                      "issuer"])
        with self._lock:
            words = list(self.vocab.words.get("issuer", []))
        lookup = np.array([self.issuer_place(w) for w in words] + [-1], dtype=np.int32)
        t.columns["issuer"] = lookup[a[:, 8]]  # -1 (no issuer) -> the last entry, -1
        return t

    def issuer_place(self, text: str) -> int:
        """The place of an awarding body named in free text ("淄博市人民政府" -> 淄博市): the deepest
        place whose name (or short name) the text starts with, -1 when none or several."""
        best, found = -1, []
        for i, path in enumerate(self.place_paths):
            parts = path.split("/")
            name = parts[-1]
            if any(text.startswith("".join(parts[k:])) for k in range(len(parts))):
                found.append((path.count("/"), len(name), i))
        if found:
            found.sort()
            top = [f for f in found if f[:2] == found[-1][:2]]
            best = top[0][2] if len(top) == 1 else -1
        return best

    def attributes(self):
        cols = [*self.common("a"), "a.person_id", "0", "CASE WHEN a.holds THEN 1 ELSE 0 END", "0",
                "COALESCE(a.place_id, -1)", "COALESCE(a.level, -1)", date_sql("a.start"), date_sql("a.\"end\"")]
        attr, join1, p1 = self.word_codes("registry_personattribute", "a", "attribute", "attribute")
        value, join2, p2 = self.word_codes("registry_personattribute", "a", "value", "attribute_value")
        cols[4], cols[6] = attr, value
        a = self.q(cols, "registry_personattribute", "a", join=f"{join1} {join2}", join_params=[*p1, *p2])
        t = self._table("attributes", a, ["ref", "source", "verification", "person", "attr", "holds", "value",
                                          "place", "level", "start", "end"])
        t.columns["place"] = self.place_index(a[:, 7])
        # 户籍 from the person's region code (Person.region_code), as the `hukou` attribute
        cond, params = self.selected("p", "id")
        sql = _select(["-1", "p.id", "o.id"], "FROM registry_person p JOIN accounts_organisation o ON "
                      "o.region_code = p.region_code AND o.kind IN ('province', 'city', 'district') "
                      f"WHERE p.region_code <> '' AND {cond}")
        h = fetch_int_columns(sql, params, 3)
        if len(h):
            with self._lock:
                code = self.vocab.add("attribute", "hukou")
            n = len(h)
            extra = {"ref": h[:, 0], "source": np.full(n, 4, np.int8), "verification": np.ones(n, np.int8),
                     "person": h[:, 1], "attr": np.full(n, code, np.int32), "holds": np.ones(n, np.int8),
                     "value": np.full(n, -1, np.int32), "place": self.place_index(h[:, 2]),
                     "level": np.full(n, -1, np.int8), "start": np.zeros(n, np.int32), "end": np.zeros(n, np.int32)}
            t = Table("attributes", {c: np.concatenate((t.columns[c], extra[c].astype(t.columns[c].dtype)))
                                     for c in t.columns})
        return t

    def achievements(self):
        cols = [*self.common("i"), "i.person_id", case_sql("i.kind", ACHIEVEMENT_WORDS), "i.level", "i.grade",
                date_sql("i.dated")]
        a = self.q(cols, "registry_innovation", "i")
        return self._table("achievements", a, ["ref", "source", "verification", "person", "kind", "level", "grade",
                                               "date"])

    def apprentices(self):
        cols = [*self.common("a"), "a.master_id", date_sql("a.agreement_date"), date_sql("a.ended_on"),
                "COALESCE(a.apprentice_certificate_level, -1)", date_sql("a.apprentice_certificate_date"),
                flag_sql("a.apprentice_is_backbone"),
                "CASE WHEN a.apprentice_competition_rank IS NULL THEN 0 ELSE 1 END", flag_sql("a.has_agreement")]
        a = self.q(cols, "registry_apprenticeship", "a", person_col="master_id")
        return self._table("apprentices", a, ["ref", "source", "verification", "person", "start", "end", "level",
                                              "level_date", "backbone", "competition", "agreement"])

    def studios(self):
        cols = [*self.common("s"), "s.person_id", case_sql("s.kind", ["other", *STUDIO_KIND_CODES], 0), "s.level",
                "CASE WHEN s.is_leader THEN 1 ELSE 2 END", date_sql("s.established_on"), date_sql("s.ended_on")]
        a = self.q(cols, "registry_masterstudio", "s")
        return self._table("studios", a, ["ref", "source", "verification", "person", "kind", "level", "role",
                                          "start", "end"])

    def programmes(self):
        grade = ("CASE WHEN p.catalogue_class = '' THEN 0 ELSE "
                 + ("ASCII(UPPER(p.catalogue_class)) - 64" if _is_pg() else "unicode(UPPER(p.catalogue_class)) - 64")
                 + " END")
        cols = [*self.common("p"), "p.person_id",
                self.named_codes("registry_programmemembership", "p", ProgrammeCode.choices, "programme"),
                "p.level", grade, date_sql("p.joined_on"), date_sql("p.ends_on")]
        a = self.q(cols, "registry_programmemembership", "p")
        a[:, 4] = self.patch_names("registry_programmemembership", "p", a[:, 4].copy(), a[:, 0], "programme")
        return self._table("programmes", a, ["ref", "source", "verification", "person", "programme", "level",
                                             "grade", "start", "end"])

    def records(self):
        cols = [*self.common("r"), "r.person_id", case_sql("r.kind", RECORD_WORDS), date_sql("r.start"),
                date_sql("r.\"end\"")]
        a = self.q(cols, "registry_creditrecord", "r")
        return self._table("records", a, ["ref", "source", "verification", "person", "kind", "start", "end"])

    def labels(self):
        if self.labels_mode == "names" and len(self.person_refs) <= 10_000:
            names = dict(Person.objects.filter(pk__in=self.person_refs.tolist()).values_list("pk", "name"))
            masked = dict(Person.objects.filter(pk__in=self.person_refs.tolist())
                          .values_list("pk", "id_number_masked"))
            return [f"{names[int(pk)]}（{masked[int(pk)]}）" for pk in self.person_refs]
        return RefLabels(self.person_refs)


def _fill_missing(name, table):
    """Columns the contract has and this builder does not set: `known_*` completeness flags are 1
    (the registry is the record of reference), anything else 0."""
    n = len(table)
    for col, dtype in SCHEMA[name].items():
        if col not in table.columns:
            table.columns[col] = (np.ones if col.startswith("known_") else np.zeros)(n, dtype=dtype)


def build_facts(people, *, insurance_months=None, labels="ids", pk_range=None, parallel=None, tables=None,
                pks=None) -> Facts:
    """The Facts of every person in the queryset `people`, in primary-key order
    (`facts.person.ref` holds the pks). See FactsBuilder for `pk_range` and `pks`."""
    return FactsBuilder(people, insurance_months=insurance_months, labels=labels,
                        pk_range=pk_range, tables=tables, pks=pks).build(parallel=parallel)


def facts_for_person(person, *, insurance_months=None) -> Facts:
    """A batch of one: the same builder, so single and batch results agree by construction."""
    return build_facts(Person.objects.filter(pk=person.pk), insurance_months=insurance_months, labels="names")
