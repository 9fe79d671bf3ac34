#!/usr/bin/env python3
"""Differential test of `flowlens query` against SQLite.

Generates a day of flow logs (`flowlens gen --scale small --seed 7`), stores them, exports
FlowTuples and NTANetAnalytics as CSV and loads those into an in-memory SQLite database with
the tables' column types (datetimes as integer 100 ns ticks since the Unix epoch, so every
comparison and bin() is exact). It then generates a seeded family of random KQL queries, each
with an equivalent SQL statement, runs both and compares the results.

The query family is limited to what SQLite expresses exactly: comparisons, between, in/!in on
numeric and datetime columns; ==, !=, =~, !~, in, !in, in~, startswith/endswith/contains (and
their _cs forms) on strings; and/or/not(); datetime arithmetic with timespans and ago();
summarize with count/countif/sum/avg/min/max/dcount by up to two keys (columns, bin() of
datetimes and numbers); project/extend + top with a total order; distinct; count; sort.
Columns holding nulls are kept out of predicates (KQL's null rules differ from SQL's).

Usage:
  differential_test.py FLOWLENS WORKDIR [--data DIR] [-n N] [--seed S]
                       [--print-queries] [--sql-only] [--check-sql [K]] [--self-check]

  FLOWLENS_DIFF_SEED overrides the default seed, FLOWLENS_DIFF_N the default query count.
  --data DIR       use an existing data directory instead of generating one
  --print-queries  print every KQL/SQL pair and exit (no flowlens query needed)
  --sql-only       run the SQL side only and print result sizes (no flowlens query needed)
  --check-sql [K]  evaluate the first K queries (default all) independently in Python over
                   the exported CSV rows and compare with SQLite: validates the translation
  --self-check     check that the comparer reports deliberate perturbations of SQLite results
                   (uses flowlens query when the binary has it, else rendered stand-ins)

Exit status: 0 all equal, 1 a mismatch or a flowlens failure, 2 a setup problem, 77 (skipped)
when the binary has no query command (the modes that do not need it run regardless).
Standard library only.
"""

import argparse
import concurrent.futures
import csv
import difflib
import io
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time

NOW_ISO = "2026-11-02T00:00:00Z"
GEN_SEED = 7
DEFAULT_QUERIES = 300
DEFAULT_SEED = 20261102
TABLES = ("FlowTuples", "NTANetAnalytics")
REL_TOL = 1e-9

TICKS_PER_SECOND = 10_000_000
SPAN_UNITS = {"d": 86400 * TICKS_PER_SECOND, "h": 3600 * TICKS_PER_SECOND,
              "m": 60 * TICKS_PER_SECOND, "s": TICKS_PER_SECOND}

# The stored tables' schemas (docs/tables.md, src/store/table_schema.cpp): the types the CSV
# exports are loaded with. `T | getschema` must agree (checked when the engine runs).
FALLBACK_SCHEMA = {
    "FlowTuples": [
        ("FlowTime", "datetime"), ("RecordTime", "datetime"), ("SrcIp", "string"),
        ("DestIp", "string"), ("SrcPort", "int"), ("DestPort", "int"), ("Protocol", "int"),
        ("L4Protocol", "string"), ("FlowDirection", "string"), ("FlowState", "string"),
        ("FlowStatus", "string"), ("FlowEncryption", "string"), ("PacketsSrcToDest", "long"),
        ("BytesSrcToDest", "long"), ("PacketsDestToSrc", "long"), ("BytesDestToSrc", "long"),
        ("MacAddress", "string"), ("AclId", "string"), ("AclRule", "string"),
        ("TargetResourceId", "string"), ("FlowLogResourceId", "string"),
        ("FlowLogVersion", "int"), ("Source", "string"), ("FlowType", "string"),
        ("SrcCountry", "string"), ("DestCountry", "string"), ("SrcAsn", "long"),
        ("DestAsn", "long"),
    ],
    "NTANetAnalytics": [
        ("TimeGenerated", "datetime"), ("TimeProcessed", "datetime"), ("SubType", "string"),
        ("FaSchemaVersion", "string"), ("FlowIntervalStartTime", "datetime"),
        ("FlowIntervalEndTime", "datetime"), ("FlowStartTime", "datetime"),
        ("FlowEndTime", "datetime"), ("FlowType", "string"), ("SrcIp", "string"),
        ("DestIp", "string"), ("SrcPublicIps", "string"), ("DestPublicIps", "string"),
        ("SrcPorts", "string"), ("DestPort", "int"), ("L4Protocol", "string"),
        ("L7Protocol", "string"), ("FlowDirection", "string"), ("FlowStatus", "string"),
        ("AclGroup", "string"), ("AclRule", "string"), ("MacAddress", "string"),
        ("TargetResourceId", "string"), ("TargetResourceType", "string"),
        ("FlowLogResourceId", "string"), ("SrcSubscription", "string"),
        ("DestSubscription", "string"), ("SrcRegion", "string"), ("DestRegion", "string"),
        ("SrcNic", "string"), ("DestNic", "string"), ("SrcVm", "string"), ("DestVm", "string"),
        ("SrcSubnet", "string"), ("DestSubnet", "string"), ("ConnectionType", "string"),
        ("ConnectionName", "string"), ("Country", "string"), ("AzureRegion", "string"),
        ("AllowedInFlows", "long"), ("DeniedInFlows", "long"), ("AllowedOutFlows", "long"),
        ("DeniedOutFlows", "long"), ("CompletedFlows", "long"), ("PacketsSrcToDest", "long"),
        ("PacketsDestToSrc", "long"), ("BytesSrcToDest", "long"), ("BytesDestToSrc", "long"),
        ("FlowEncryption", "string"), ("RecordCount", "long"), ("IsFlowCapturedAtUdrHop", "bool"),
    ],
}

NUMERIC = ("int", "long")
SQL_TYPE = {"int": "INTEGER", "long": "INTEGER", "bool": "INTEGER", "datetime": "INTEGER",
            "timespan": "INTEGER", "real": "REAL", "string": "TEXT"}


class SetupError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Datetimes: integer ticks (100 ns) since 1970-01-01 UTC.

def _days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


_ISO_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?$")


def parse_iso(text):
    """ISO 8601 UTC text -> ticks. Raises ValueError."""
    m = _ISO_RE.match(text)
    if not m:
        raise ValueError("not an ISO 8601 datetime: %r" % text)
    y, mo, d, hh, mm, ss, frac = m.groups()
    days = _days_from_civil(int(y), int(mo), int(d))
    secs = days * 86400 + int(hh or 0) * 3600 + int(mm or 0) * 60 + int(ss or 0)
    return secs * TICKS_PER_SECOND + (int((frac or "").ljust(7, "0")) if frac else 0)


def format_iso(ticks):
    """Ticks -> the 7-digit form KQL's tostring() and the CSV/JSON outputs use."""
    secs, frac = divmod(ticks, TICKS_PER_SECOND)
    days, sod = divmod(secs, 86400)
    y, m, d = _civil_from_days(days)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ" % (y, m, d, sod // 3600, sod // 60 % 60,
                                                     sod % 60, frac)


def format_span(ticks):
    """Ticks -> a KQL timespan literal (whole units only)."""
    for unit in ("d", "h", "m", "s"):
        if ticks % SPAN_UNITS[unit] == 0:
            return "%d%s" % (ticks // SPAN_UNITS[unit], unit)
    raise ValueError(ticks)


NOW = parse_iso(NOW_ISO)


# ---------------------------------------------------------------------------------------------
# Literal rendering

def kql_str(s):
    out = []
    for ch in s:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def like_escape(s):
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def ascii_lower(s):
    return s.translate(_ASCII_LOWER)


def kql_datetime(ticks, rng):
    """A datetime literal in one of the ISO spellings KQL accepts."""
    iso = format_iso(ticks)  # 2026-11-01T05:30:00.0000000Z
    date, clock = iso[:10], iso[11:19]
    frac = iso[20:27].rstrip("0")
    if ticks % (86400 * TICKS_PER_SECOND) == 0 and rng.random() < 0.5:
        return "datetime(%s)" % date
    if frac:
        return "datetime(%sT%s.%sZ)" % (date, clock, frac)
    form = rng.randrange(4)
    if form == 0:
        return "datetime(%sT%sZ)" % (date, clock)
    if form == 1:
        return "datetime(%s %s)" % (date, clock)
    if form == 2 and clock.endswith(":00"):
        return "datetime(%s %s)" % (date, clock[:5])
    return "datetime('%s %s')" % (date, clock)


# ---------------------------------------------------------------------------------------------
# Scalar expressions. Each renders as KQL (with a precedence level), as SQL (fully
# parenthesised) and evaluates in Python over a row dict (for --check-sql).

PREC_OR, PREC_AND, PREC_CMP, PREC_ADD, PREC_ATOM = 1, 2, 3, 4, 5


class Expr:
    prec = PREC_ATOM

    def kql_p(self, outer):
        text = self.kql()
        return "(" + text + ")" if self.prec < outer else text


class Col(Expr):
    def __init__(self, name, type_):
        self.name, self.type = name, type_

    def kql(self):
        return self.name

    def sql(self):
        return '"%s"' % self.name

    def ev(self, row):
        return row[self.name]


class Lit(Expr):
    def __init__(self, value, type_, kql_text):
        self.value, self.type, self.kql_text = value, type_, kql_text

    def kql(self):
        return self.kql_text

    def sql(self):
        return sql_str(self.value) if self.type == "string" else str(self.value)

    def ev(self, row):
        return self.value


class Ago(Expr):
    """ago(span): now() - span, with now fixed by --now."""
    type = "datetime"

    def __init__(self, span):
        self.span = span

    def kql(self):
        return "ago(%s)" % format_span(self.span)

    def sql(self):
        return str(NOW - self.span)

    def ev(self, row):
        return NOW - self.span


class Arith(Expr):
    """a + b or a - b on longs; datetime + timespan; datetime - datetime (a timespan)."""
    prec = PREC_ADD

    def __init__(self, op, a, b, type_):
        self.op, self.a, self.b, self.type = op, a, b, type_

    def kql(self):
        return "%s %s %s" % (self.a.kql_p(PREC_ADD), self.op, self.b.kql_p(PREC_ADD + 1))

    def sql(self):
        return "(%s %s %s)" % (self.a.sql(), self.op, self.b.sql())

    def ev(self, row):
        a, b = self.a.ev(row), self.b.ev(row)
        return a + b if self.op == "+" else a - b


class Span(Expr):
    """A timespan literal (ticks)."""
    type = "timespan"

    def __init__(self, ticks):
        self.ticks = ticks

    def kql(self):
        return format_span(self.ticks)

    def sql(self):
        return str(self.ticks)

    def ev(self, row):
        return self.ticks


class Cmp(Expr):
    prec = PREC_CMP
    SQL_OP = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
    PY = {"==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
          "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}

    def __init__(self, op, a, b):
        self.op, self.a, self.b = op, a, b

    def kql(self):
        return "%s %s %s" % (self.a.kql_p(PREC_ADD), self.op, self.b.kql_p(PREC_ADD))

    def sql(self):
        return "(%s %s %s)" % (self.a.sql(), self.SQL_OP[self.op], self.b.sql())

    def ev(self, row):
        return self.PY[self.op](self.a.ev(row), self.b.ev(row))


class Between(Expr):
    """x between (lo .. hi), inclusive; hi may be a timespan after a datetime lo."""
    prec = PREC_CMP

    def __init__(self, a, lo, hi, negate, hi_span=False):
        self.a, self.lo, self.hi, self.negate, self.hi_span = a, lo, hi, negate, hi_span

    def _hi_value(self):
        return self.lo.value + self.hi.ticks if self.hi_span else self.hi.value

    def kql(self):
        return "%s %s (%s .. %s)" % (self.a.kql_p(PREC_ADD), "!between" if self.negate else
                                     "between", self.lo.kql(), self.hi.kql())

    def sql(self):
        text = "(%s BETWEEN %s AND %s)" % (self.a.sql(), self.lo.sql(), self._hi_value())
        return "(NOT %s)" % text if self.negate else text

    def ev(self, row):
        v = self.a.ev(row)
        inside = self.lo.value <= v <= self._hi_value()
        return not inside if self.negate else inside


class In(Expr):
    prec = PREC_CMP

    def __init__(self, a, values, negate, ci):
        self.a, self.values, self.negate, self.ci = a, values, negate, ci

    def kql(self):
        op = ("!in" if self.negate else "in") + ("~" if self.ci else "")
        return "%s %s (%s)" % (self.a.kql_p(PREC_ADD), op, ", ".join(v.kql() for v in self.values))

    def sql(self):
        if self.ci:
            text = "(lower(%s) IN (%s))" % (self.a.sql(),
                                            ", ".join("lower(%s)" % v.sql() for v in self.values))
        else:
            text = "(%s IN (%s))" % (self.a.sql(), ", ".join(v.sql() for v in self.values))
        return "(NOT %s)" % text if self.negate else text

    def ev(self, row):
        v = self.a.ev(row)
        if self.ci:
            found = ascii_lower(v) in {ascii_lower(x.value) for x in self.values}
        else:
            found = v in {x.value for x in self.values}
        return not found if self.negate else found


class StrOp(Expr):
    """=~, startswith, endswith, contains and their _cs and negated forms."""
    prec = PREC_CMP

    def __init__(self, op, a, needle, negate):
        self.op, self.a, self.needle, self.negate = op, a, needle, negate

    def kql(self):
        op = self.op
        if self.negate:
            op = "!~" if op == "=~" else "!" + op
        return "%s %s %s" % (self.a.kql_p(PREC_ADD), op, kql_str(self.needle))

    def sql(self):
        a, n = self.a.sql(), self.needle
        if self.op == "=~":
            text = "(lower(%s) = lower(%s))" % (a, sql_str(n))
        elif self.op in ("startswith", "endswith", "contains"):
            pat = like_escape(n)
            pat = {"startswith": pat + "%", "endswith": "%" + pat, "contains": "%" + pat + "%"}[self.op]
            text = "(%s LIKE %s ESCAPE '\\')" % (a, sql_str(pat))
        elif self.op == "startswith_cs":
            text = "(substr(%s, 1, %d) = %s)" % (a, len(n), sql_str(n))
        elif self.op == "endswith_cs":
            text = "(length(%s) >= %d AND substr(%s, -%d) = %s)" % (a, len(n), a, len(n), sql_str(n))
        elif self.op == "contains_cs":
            text = "(instr(%s, %s) > 0)" % (a, sql_str(n))
        else:
            raise AssertionError(self.op)
        return "(NOT %s)" % text if self.negate else text

    def ev(self, row):
        v, n = self.a.ev(row), self.needle
        if self.op in ("=~", "startswith", "endswith", "contains"):
            v, n = ascii_lower(v), ascii_lower(n)
        base = self.op.replace("_cs", "")
        r = {"=~": v == n, "startswith": v.startswith(n), "endswith": v.endswith(n),
             "contains": n in v}[base]
        return not r if self.negate else r


class And(Expr):
    prec = PREC_AND

    def __init__(self, items):
        self.items = items

    def kql(self):
        return " and ".join(i.kql_p(PREC_AND + 1) for i in self.items)

    def sql(self):
        return "(" + " AND ".join(i.sql() for i in self.items) + ")"

    def ev(self, row):
        return all(i.ev(row) for i in self.items)


class Or(Expr):
    prec = PREC_OR

    def __init__(self, items):
        self.items = items

    def kql(self):
        return " or ".join(i.kql_p(PREC_OR + 1) for i in self.items)

    def sql(self):
        return "(" + " OR ".join(i.sql() for i in self.items) + ")"

    def ev(self, row):
        return any(i.ev(row) for i in self.items)


class Not(Expr):
    def __init__(self, item):
        self.item = item

    def kql(self):
        return "not(%s)" % self.item.kql()

    def sql(self):
        return "(NOT %s)" % self.item.sql()

    def ev(self, row):
        return not self.item.ev(row)


class Paren(Expr):
    """Redundant parentheses in the KQL text (they exercise the parser)."""

    def __init__(self, item):
        self.item = item

    def kql(self):
        return "(%s)" % self.item.kql()

    def sql(self):
        return self.item.sql()

    def ev(self, row):
        return self.item.ev(row)


class Bin(Expr):
    """bin(col, size) on a non-negative column: floor to a multiple of size."""

    def __init__(self, col, size, size_text):
        self.col, self.size, self.size_text = col, size, size_text
        self.type = "datetime" if col.type == "datetime" else "long"

    def kql(self):
        return "bin(%s, %s)" % (self.col.kql(), self.size_text)

    def sql(self):
        return "((%s / %d) * %d)" % (self.col.sql(), self.size, self.size)

    def ev(self, row):
        return self.col.ev(row) // self.size * self.size


# ---------------------------------------------------------------------------------------------
# Aggregates

class Agg:
    def __init__(self, func, arg=None, pred=None, name=None):
        self.func, self.arg, self.pred, self.explicit = func, arg, pred, name
        if func in ("count", "countif", "dcount"):
            self.type = "long"
        elif func == "sum":
            self.type = "long"
        elif func == "avg":
            self.type = "real"
        else:
            self.type = arg.type
        default = {"count": "count_", "countif": "countif_"}.get(func)
        self.name = name or default or "%s_%s" % (func, arg.name)

    def kql(self):
        inner = {"count": "", "countif": self.pred.kql() if self.pred else ""}.get(
            self.func, self.arg.kql() if self.arg else "")
        text = "%s(%s)" % (self.func, inner)
        return "%s = %s" % (self.explicit, text) if self.explicit else text

    def sql(self):
        f = self.func
        if f == "count":
            return "COUNT(*)"
        if f == "countif":
            return "COALESCE(SUM(CASE WHEN %s THEN 1 ELSE 0 END), 0)" % self.pred.sql()
        if f == "sum":
            return "COALESCE(SUM(%s), 0)" % self.arg.sql()
        if f == "avg":
            return "AVG(%s)" % self.arg.sql()
        if f == "dcount":
            return "COUNT(DISTINCT %s)" % self.arg.sql()
        return "%s(%s)" % (f.upper(), self.arg.sql())

    def ev(self, rows):
        f = self.func
        if f == "count":
            return len(rows)
        if f == "countif":
            return sum(1 for r in rows if self.pred.ev(r))
        vals = [self.arg.ev(r) for r in rows]
        if f == "sum":
            return sum(vals)
        if f == "avg":
            return sum(vals) / len(vals) if vals else float("nan")
        if f == "dcount":
            return len(set(vals))
        if not vals:
            return None
        return min(vals) if f == "min" else max(vals)


# ---------------------------------------------------------------------------------------------
# Queries: a table, where clauses, then one tail. Each query knows its KQL, its SQL, its output
# columns (name, type), and whether its row order is defined.

class Query:
    def __init__(self, table):
        self.table = table
        self.wheres = []
        self.kql_parts = [table]
        self.sql = None
        self.columns = []      # [(name, type)]
        self.ordered = False
        self.py = None         # callable(rows: list of dicts) -> list of tuples (for --check-sql)
        self.fmt = "json"
        self.shape = ""

    @property
    def kql(self):
        return "\n| ".join(self.kql_parts)

    def where_sql(self):
        if not self.wheres:
            return '"%s"' % self.table
        cond = " AND ".join(w.sql() for w in self.wheres)
        return '(SELECT * FROM "%s" WHERE %s)' % (self.table, cond)

    def filter_rows(self, rows):
        return [r for r in rows if all(w.ev(r) for w in self.wheres)]


class Profile:
    """What the data looks like, for picking literals that hit."""

    def __init__(self, db, table, schema, rows):
        self.table = table
        self.schema = schema
        self.rows = db.execute('SELECT COUNT(*) FROM "%s"' % table).fetchone()[0]
        self.info = {}
        spread = rows[:: max(1, len(rows) // 4000)]
        for index, (name, type_) in enumerate(schema):
            col = '"%s"' % name
            nulls, distinct, lo, hi = db.execute(
                'SELECT SUM(%s IS NULL), COUNT(DISTINCT %s), MIN(%s), MAX(%s) FROM "%s"'
                % (col, col, col, col, table)).fetchone()
            sample = sorted({row[index] for row in spread if row[index] is not None})[:400]
            self.info[name] = dict(type=type_, nulls=nulls or 0, distinct=distinct, lo=lo, hi=hi,
                                   sample=sample)

    def cols(self, types, max_distinct=None, min_distinct=1):
        out = []
        for name, type_ in self.schema:
            i = self.info[name]
            if type_ not in types or i["nulls"] or i["distinct"] < min_distinct:
                continue
            if max_distinct is not None and i["distinct"] > max_distinct:
                continue
            out.append(Col(name, type_))
        return out


class Generator:
    def __init__(self, profiles, seed):
        self.rng = random.Random(seed)
        self.profiles = profiles

    # -- literals -----------------------------------------------------------------------------
    def num_lit(self, col):
        i = self.prof.info[col.name]
        r = self.rng
        if r.random() < 0.6 and i["sample"]:
            v = r.choice(i["sample"])
        else:
            v = r.randint(i["lo"], i["hi"])
        return Lit(v, "long", str(v))

    def dt_value(self, col):
        i = self.prof.info[col.name]
        r = self.rng
        pick = r.random()
        if pick < 0.3 and i["sample"]:
            return r.choice(i["sample"])  # an exact stored value, fraction and all
        v = r.randint(i["lo"] - 3600 * TICKS_PER_SECOND, i["hi"] + 3600 * TICKS_PER_SECOND)
        unit = r.choice([TICKS_PER_SECOND, 60 * TICKS_PER_SECOND, 600 * TICKS_PER_SECOND,
                         3600 * TICKS_PER_SECOND, 86400 * TICKS_PER_SECOND])
        return v // unit * unit

    def dt_lit(self, col):
        v = self.dt_value(col)
        return Lit(v, "datetime", kql_datetime(v, self.rng))

    def str_value(self, col):
        return self.rng.choice(self.prof.info[col.name]["sample"])

    def mangle_case(self, s):
        r = self.rng
        mode = r.randrange(3)
        if mode == 0:
            return s.upper()
        if mode == 1:
            return s.lower()
        return "".join(c.upper() if r.random() < 0.5 else c.lower() for c in s)

    # -- predicates ---------------------------------------------------------------------------
    def leaf(self):
        r = self.rng
        kind = r.choices(["num", "dt", "str", "colcmp"], [4, 3, 5, 1])[0]
        if kind == "num":
            return self.num_pred()
        if kind == "dt":
            return self.dt_pred()
        if kind == "str":
            return self.str_pred()
        return self.col_pred()

    def num_pred(self):
        r = self.rng
        col = r.choice(self.prof.cols(NUMERIC))
        form = r.choices(["cmp", "between", "in", "sum"], [6, 2, 2, 1])[0]
        if form == "cmp":
            return Cmp(r.choice(list(Cmp.SQL_OP)), col, self.num_lit(col))
        if form == "between":
            a, b = sorted([self.num_lit(col), self.num_lit(col)], key=lambda l: l.value)
            return Between(col, a, b, r.random() < 0.3)
        if form == "in":
            vals = [self.num_lit(col) for _ in range(r.randint(1, 5))]
            return In(col, vals, r.random() < 0.3, False)
        longs = self.prof.cols(("long",))
        if len(longs) < 2:
            return Cmp(">", col, self.num_lit(col))
        a, b = r.sample(longs, 2)
        lit = self.num_lit(a)
        return Cmp(r.choice(["<", ">", ">=", "<="]), Arith("+", a, b, "long"),
                   Lit(lit.value * 2, "long", str(lit.value * 2)))

    def dt_pred(self):
        r = self.rng
        col = r.choice(self.prof.cols(("datetime",)))
        form = r.choices(["cmp", "between", "between_span", "ago", "shift", "diff"],
                         [5, 2, 2, 2, 1, 1])[0]
        if form == "cmp":
            return Cmp(r.choice(list(Cmp.SQL_OP)), col, self.dt_lit(col))
        if form == "between":
            a, b = sorted([self.dt_lit(col), self.dt_lit(col)], key=lambda l: l.value)
            return Between(col, a, b, r.random() < 0.3)
        if form == "between_span":
            a = self.dt_lit(col)
            return Between(col, a, Span(r.choice([10, 30, 60, 180, 720]) * 60 * TICKS_PER_SECOND),
                           r.random() < 0.3, hi_span=True)
        if form == "ago":
            if r.random() < 0.6:
                span = r.randint(1, 40) * 3600 * TICKS_PER_SECOND
            else:
                span = r.randint(1, 40 * 60) * 60 * TICKS_PER_SECOND
            return Cmp(r.choice([">", ">=", "<", "<="]), col, Ago(span))
        if form == "shift":
            # col + span > literal: datetime + timespan arithmetic.
            span = Span(r.choice([5, 30, 90]) * 60 * TICKS_PER_SECOND)
            return Cmp(r.choice([">", "<"]), Arith("+", col, span, "datetime"), self.dt_lit(col))
        others = [c for c in self.prof.cols(("datetime",)) if c.name != col.name]
        if not others:
            return Cmp(">", col, self.dt_lit(col))
        other = r.choice(others)
        span = Span(r.choice([1, 5, 30, 60]) * TICKS_PER_SECOND * r.choice([1, 60]))
        return Cmp(r.choice([">", "<", ">="]), Arith("-", col, other, "timespan"), span)

    def str_pred(self):
        r = self.rng
        col = r.choice(self.prof.cols(("string",), min_distinct=2) or self.prof.cols(("string",)))
        form = r.choices(["eq", "ne", "in", "nin", "eqci", "inci", "prefix", "suffix", "contains"],
                         [5, 3, 3, 2, 1, 1, 3, 1, 2])[0]
        v = self.str_value(col)
        if form in ("eq", "ne"):
            if r.random() < 0.1:
                v = v + "x"  # a value that is not there
            return Cmp("==" if form == "eq" else "!=", col, Lit(v, "string", kql_str(v)))
        if form in ("in", "nin", "inci"):
            vals = [self.str_value(col) for _ in range(r.randint(1, 4))]
            if form == "inci":
                vals = [self.mangle_case(x) for x in vals]
            return In(col, [Lit(x, "string", kql_str(x)) for x in vals], form == "nin",
                      form == "inci")
        if form == "eqci":
            return StrOp("=~", col, self.mangle_case(v), r.random() < 0.3)
        if not v:
            v = self.str_value(col) or "a"
        if form == "prefix":
            needle = v[: r.randint(1, max(1, min(len(v), 12)))]
        elif form == "suffix":
            needle = v[-r.randint(1, max(1, min(len(v), 8))):]
        else:
            start = r.randrange(len(v))
            needle = v[start:start + r.randint(1, 6)]
        cs = r.random() < 0.3
        if not cs and r.random() < 0.6:
            needle = self.mangle_case(needle)
        op = {"prefix": "startswith", "suffix": "endswith", "contains": "contains"}[form]
        return StrOp(op + ("_cs" if cs else ""), col, needle, r.random() < 0.25)

    def col_pred(self):
        r = self.rng
        for types in (NUMERIC, ("datetime",)):
            cols = self.prof.cols(types)
            if len(cols) >= 2 and (types == NUMERIC or r.random() < 0.5):
                a, b = r.sample(cols, 2)
                return Cmp(r.choice(list(Cmp.SQL_OP)), a, b)
        return self.num_pred()

    def predicate(self, depth=0):
        r = self.rng
        if depth >= 2 or r.random() < 0.45:
            p = self.leaf()
        else:
            kind = r.choices(["and", "or", "not"], [4, 3, 1])[0]
            if kind == "not":
                p = Not(self.predicate(depth + 1))
            else:
                items = [self.predicate(depth + 1) for _ in range(r.randint(2, 3))]
                p = And(items) if kind == "and" else Or(items)
        if r.random() < 0.1:
            p = Paren(p)
        return p

    # -- queries ------------------------------------------------------------------------------
    def query(self):
        r = self.rng
        table = r.choices(TABLES, [7, 3])[0]
        self.prof = self.profiles[table]
        q = Query(table)
        for _ in range(r.choices([0, 1, 2], [1, 6, 2])[0]):
            w = self.predicate()
            q.wheres.append(w)
            q.kql_parts.append("%s %s" % (r.choice(["where", "where", "where", "filter"]), w.kql()))
        tail = r.choices(["summarize", "top", "count", "distinct"], [10, 5, 2, 2])[0]
        getattr(self, "tail_" + tail)(q)
        q.shape = tail
        q.fmt = r.choices(["json", "csv"], [2, 1])[0]
        return q

    def tail_count(self, q):
        q.kql_parts.append(self.rng.choice(["count", "count"]))
        q.sql = 'SELECT COUNT(*) AS "Count" FROM %s' % q.where_sql()
        q.columns = [("Count", "long")]
        q.py = lambda rows: [(len(q.filter_rows(rows)),)]

    def group_key(self, used):
        r = self.rng
        p = self.prof
        kind = r.choices(["str", "num", "bin_dt", "bin_num"], [4, 2, 3, 1])[0]
        cands = []
        if kind == "str":
            cands = [c for c in p.cols(("string",), max_distinct=300)]
        elif kind == "num":
            cands = [c for c in p.cols(NUMERIC, max_distinct=300)]
        elif kind == "bin_dt":
            cands = p.cols(("datetime",))
        else:
            cands = [c for c in p.cols(NUMERIC) if p.info[c.name]["lo"] >= 0]
        cands = [c for c in cands if c.name not in used]
        if not cands:
            return None
        col = r.choice(cands)
        if kind == "bin_dt":
            unit = r.choice(["10m", "1h", "1d", "30m", "6h"])
            size = int(unit[:-1]) * SPAN_UNITS[unit[-1]]
            expr = Bin(col, size, unit)
        elif kind == "bin_num":
            size = r.choice([10, 100, 1000, 10000])
            expr = Bin(col, size, str(size))
        else:
            expr = col
        name = col.name
        if r.random() < 0.2:
            name = "Key%d" % len(used)
            return (name, expr, "%s = %s" % (name, expr.kql()))
        return (name, expr, expr.kql())

    def aggregate(self, names):
        r = self.rng
        p = self.prof
        func = r.choices(["count", "countif", "sum", "avg", "min", "max", "dcount"],
                         [4, 2, 3, 2, 2, 2, 2])[0]
        arg = pred = None
        if func == "countif":
            pred = self.predicate(1)
        elif func in ("sum", "avg"):
            arg = r.choice(p.cols(NUMERIC))
        elif func in ("min", "max"):
            arg = r.choice(p.cols(NUMERIC + ("datetime", "string")))
        elif func == "dcount":
            arg = r.choice(p.cols(NUMERIC + ("datetime", "string")))
        a = Agg(func, arg, pred)
        if a.name in names or r.random() < 0.25:
            a = Agg(func, arg, pred, name="Agg%d" % len(names))
        return a

    def tail_summarize(self, q):
        r = self.rng
        keys, used = [], set()
        for _ in range(r.choices([0, 1, 2], [2, 5, 3])[0]):
            k = self.group_key(used)
            if k and k[0] not in used:
                keys.append(k)
                used.add(k[0])
                used.add(k[1].col.name if isinstance(k[1], Bin) else k[1].name)
        aggs, names = [], set(k[0] for k in keys)
        n_aggs = r.choices([0, 1, 2, 3], [1 if keys else 0, 5, 3, 2])[0]
        for _ in range(n_aggs):
            a = self.aggregate(names)
            if a.name in names:
                continue
            aggs.append(a)
            names.add(a.name)
        text = "summarize " + ", ".join(a.kql() for a in aggs)
        if keys:
            text += (" " if aggs else "") + "by " + ", ".join(k[2] for k in keys)
        q.kql_parts.append(text)
        sel = ['%s AS "%s"' % (k[1].sql(), k[0]) for k in keys]
        sel += ['%s AS "%s"' % (a.sql(), a.name) for a in aggs]
        sql = "SELECT %s FROM %s" % (", ".join(sel), q.where_sql())
        if keys:
            sql += " GROUP BY " + ", ".join(k[1].sql() for k in keys)
        q.columns = [(k[0], k[1].type) for k in keys] + [(a.name, a.type) for a in aggs]

        def py(rows):
            groups = {}
            for row in q.filter_rows(rows):
                groups.setdefault(tuple(k[1].ev(row) for k in keys), []).append(row)
            if not keys and not groups:
                groups[()] = []
            return [key + tuple(a.ev(g) for a in aggs) for key, g in groups.items()]

        # Optional filter on a numeric aggregate, then an optional order.
        numeric_aggs = [a for a in aggs if a.type in ("long", "real")]
        post = None
        if keys and numeric_aggs and r.random() < 0.2:
            a = r.choice(numeric_aggs)
            bound = r.choice([1, 2, 5, 10, 100])
            post = (a.name, bound, q.columns.index((a.name, a.type)))
            q.kql_parts.append("where %s > %d" % (a.name, bound))
            sql = 'SELECT * FROM (%s) WHERE "%s" > %d' % (sql, a.name, bound)
        order = n = None
        if keys and r.random() < 0.4:
            key_dirs = [(k[0], q.columns.index((k[0], k[1].type)), r.choice(["asc", "desc", ""]))
                        for k in keys]
            if numeric_aggs and r.random() < 0.5:
                a = r.choice(numeric_aggs)
                first = (a.name, q.columns.index((a.name, a.type)), r.choice(["desc", "asc", ""]))
                order = [first] + key_dirs
                n = r.randint(1, 15)
            else:
                order = key_dirs
                n = r.randint(1, 15) if r.random() < 0.4 else None
            q.kql_parts.extend(order_tail(r, order, n))
            sql = "SELECT * FROM (%s) ORDER BY %s" % (sql, order_sql(order))
            if n is not None:
                sql += " LIMIT %d" % n
            q.ordered = True
        q.sql = sql

        def py_full(rows):
            out = py(rows)
            if post:
                out = [t for t in out if t[post[2]] > post[1]]
            if order:
                out = sort_tuples(out, order)
                if n is not None:
                    out = out[:n]
            return out

        q.py = py_full

    def tail_top(self, q):
        r = self.rng
        p = self.prof
        pool = p.cols(NUMERIC + ("datetime", "string"))
        cols = r.sample(pool, 1 if r.random() < 0.25 else r.randint(2, 4))
        out = [(c.name, c.type, c) for c in cols]
        parts = [c.name for c in cols]
        longs = p.cols(("long",))
        if len(longs) >= 2 and r.random() < 0.3:
            a, b = r.sample(longs, 2)
            e = Arith("+", a, b, "long")
            out.append(("Total", "long", e))
            parts.append("Total = %s" % e.kql())
        q.kql_parts.append("project " + ", ".join(parts))
        n = r.randint(1, 20)
        idx = list(range(len(out)))
        r.shuffle(idx)
        order = [(out[i][0], i, r.choice(["asc", "desc", ""])) for i in idx]
        q.kql_parts.extend(order_tail(r, order, n))
        sel = ", ".join('%s AS "%s"' % (e.sql(), name) for name, _, e in out)
        q.sql = "SELECT %s FROM %s ORDER BY %s LIMIT %d" % (sel, q.where_sql(), order_sql(order), n)
        q.columns = [(name, t) for name, t, _ in out]
        q.ordered = True
        q.py = lambda rows: sort_tuples([tuple(e.ev(row) for _, _, e in out)
                                         for row in q.filter_rows(rows)], order)[:n]

    def tail_distinct(self, q):
        r = self.rng
        p = self.prof
        pool = p.cols(NUMERIC + ("string",), max_distinct=200)
        cols = r.sample(pool, min(len(pool), r.randint(1, 2)))
        q.kql_parts.append("distinct " + ", ".join(c.name for c in cols))
        sql = 'SELECT DISTINCT %s FROM %s' % (", ".join(c.sql() for c in cols), q.where_sql())
        q.columns = [(c.name, c.type) for c in cols]
        order = None
        if r.random() < 0.3:
            order = [(c.name, i, r.choice(["asc", "desc", ""])) for i, c in enumerate(cols)]
            q.kql_parts.append("sort by " + order_kql(order))
            sql = "SELECT * FROM (%s) ORDER BY %s" % (sql, order_sql(order))
            q.ordered = True
        q.sql = sql

        def py(rows):
            out = list({tuple(c.ev(row) for c in cols) for row in q.filter_rows(rows)})
            return sort_tuples(out, order) if order else out

        q.py = py


def order_tail(rng, order, n):
    """KQL for ordering (and limiting to n rows): `top` takes one key, more keys need sort+take."""
    if n is None:
        return ["%s by %s" % (rng.choice(["sort", "order"]), order_kql(order))]
    if len(order) == 1 and rng.random() < 0.7:
        return ["top %d by %s" % (n, order_kql(order))]
    return ["sort by %s" % order_kql(order), "%s %d" % (rng.choice(["take", "limit"]), n)]


def order_kql(order):
    return ", ".join(name + (" " + d if d else "") for name, _, d in order)


def order_sql(order):
    # KQL's default direction is desc; no nulls reach an ordered column here.
    return ", ".join('"%s" %s' % (name, "ASC" if d == "asc" else "DESC") for name, _, d in order)


def sort_tuples(rows, order):
    rows = list(rows)
    for _, i, d in reversed(order):
        rows.sort(key=lambda t: t[i], reverse=(d != "asc"))
    return rows


# ---------------------------------------------------------------------------------------------
# Data: generate, ingest, export, load.

def run(cmd, **kw):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if p.returncode != 0:
        raise SetupError("%s failed (exit %d): %s" % (" ".join(cmd), p.returncode,
                                                       p.stderr.strip()[:2000]))
    return p.stdout


def has_query_command(flowlens):
    try:
        p = subprocess.run([flowlens, "query", "--help"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return p.returncode == 0 and re.search(r"^Usage: \S+ query\b", p.stdout, re.M) is not None


def prepare_data(flowlens, workdir, data_dir):
    if data_dir:
        if not os.path.isdir(data_dir):
            raise SetupError("no data directory %s" % data_dir)
        return data_dir
    data_dir = os.path.join(workdir, "data")
    stamp = os.path.join(workdir, "data.ready")
    st = os.stat(flowlens)
    want = "gen --scale small --seed %d\nflowlens %s %d %d\n" % (GEN_SEED, flowlens, st.st_size,
                                                                  st.st_mtime_ns)
    if os.path.exists(stamp) and open(stamp).read() == want and os.path.isdir(data_dir):
        return data_dir
    logs = os.path.join(workdir, "logs")
    for d in (logs, data_dir):
        shutil.rmtree(d, ignore_errors=True)
    if os.path.exists(stamp):
        os.remove(stamp)
    run([flowlens, "gen", "--out", logs, "--scale", "small", "--seed", str(GEN_SEED), "-q"])
    run([flowlens, "ingest", "--data", data_dir, logs, "-q"])
    shutil.rmtree(logs, ignore_errors=True)
    with open(stamp, "w") as f:
        f.write(want)
    return data_dir


def check_getschema(flowlens, data_dir):
    """`T | getschema` must give the documented columns and types; returns the differences."""
    problems = []
    for table in TABLES:
        p = subprocess.run([flowlens, "query", "--data", data_dir, "--format", "json",
                            "%s | getschema" % table], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            problems.append("%s | getschema: exit %d: %s" % (table, p.returncode, p.stderr.strip()))
            continue
        try:
            t = json.loads(p.stdout)["tables"][0]
            names = [c["name"] for c in t["columns"]]
            i_name, i_type = names.index("ColumnName"), names.index("ColumnType")
            schema = [(row[i_name], row[i_type]) for row in t["rows"]]
        except (ValueError, KeyError, IndexError, TypeError) as e:
            problems.append("%s | getschema: unexpected output (%s): %s"
                            % (table, e, p.stdout[:500]))
            continue
        if schema != FALLBACK_SCHEMA[table]:
            diff = difflib.unified_diff(["%s:%s" % c for c in FALLBACK_SCHEMA[table]],
                                        ["%s:%s" % c for c in schema], "docs/tables.md",
                                        "getschema", lineterm="")
            problems.append("%s | getschema differs from the documented schema:\n%s"
                            % (table, "\n".join(diff)))
    return problems


def convert_field(text, type_):
    if type_ == "string":
        return text
    if text == "":
        return None
    if type_ in ("int", "long"):
        return int(text)
    if type_ == "real":
        return float(text)
    if type_ == "datetime":
        return parse_iso(text)
    if type_ == "bool":
        return {"true": 1, "false": 0}[text.lower()]
    raise SetupError("unsupported column type %s" % type_)


def field_converter(type_):
    """A fast converter for one column of an export (the 7-digit datetime form has a fast path)."""
    if type_ == "string":
        return None
    if type_ in ("int", "long"):
        return lambda t: int(t) if t else None
    if type_ == "datetime":
        day_ticks = {}

        def dt(t):
            if len(t) != 28 or t[10] != "T" or t[19] != "." or t[27] != "Z":
                return convert_field(t, "datetime")
            day = t[:10]
            base = day_ticks.get(day)
            if base is None:
                base = day_ticks[day] = parse_iso(day)
            return base + ((int(t[11:13]) * 60 + int(t[14:16])) * 60 + int(t[17:19])) \
                * TICKS_PER_SECOND + int(t[20:27])
        return dt
    return lambda t: convert_field(t, type_)


def load_tables(flowlens, data_dir, workdir):
    db = sqlite3.connect(":memory:")
    schemas, raw = {}, {}
    csv.field_size_limit(1 << 30)  # public-IP lists can be long
    for table in TABLES:
        schema = FALLBACK_SCHEMA[table]
        path = os.path.join(workdir, "%s.%d.csv" % (table, os.getpid()))
        run([flowlens, "export", table, "--data", data_dir, "--format", "csv", "--now", NOW_ISO,
             "-o", path])
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader)
            if header != [n for n, _ in schema]:
                raise SetupError("%s export header %s does not match the schema %s"
                                 % (table, header, [n for n, _ in schema]))
            rows = [list(row) for row in reader]
        os.remove(path)
        for i, (_, type_) in enumerate(schema):
            conv = field_converter(type_)
            if conv:
                for row in rows:
                    row[i] = conv(row[i])
        rows = [tuple(row) for row in rows]
        db.execute('CREATE TABLE "%s" (%s)' % (table, ", ".join(
            '"%s" %s' % (n, SQL_TYPE[t]) for n, t in schema)))
        db.executemany('INSERT INTO "%s" VALUES (%s)' % (table, ", ".join("?" * len(schema))), rows)
        schemas[table] = schema
        raw[table] = rows
    db.commit()
    return db, schemas, raw


# ---------------------------------------------------------------------------------------------
# Results: normalisation and comparison.

class OutputError(Exception):
    pass


def typed(value, type_, fmt):
    """One cell of flowlens output -> the Python value SQLite gives for the same type."""
    if value is None:
        return None
    if type_ == "string":
        if not isinstance(value, str):
            raise OutputError("string cell is %r" % (value,))
        return value
    if fmt == "csv" and value == "":
        return None
    if type_ in ("int", "long"):
        if fmt == "csv":
            if not re.fullmatch(r"-?\d+", value):
                raise OutputError("%s cell is %r" % (type_, value))
            return int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise OutputError("%s cell is %r (not a JSON integer)" % (type_, value))
        return value
    if type_ == "real":
        if isinstance(value, str):
            special = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}
            if value in special:
                return special[value]
            if fmt == "csv":
                try:
                    return float(value)
                except ValueError:
                    pass
            raise OutputError("real cell is %r" % (value,))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise OutputError("real cell is %r" % (value,))
        return float(value)
    if type_ == "datetime":
        if not isinstance(value, str):
            raise OutputError("datetime cell is %r" % (value,))
        try:
            return parse_iso(value)
        except ValueError as e:
            raise OutputError(str(e))
    if type_ == "bool":
        if fmt == "csv":
            if value not in ("True", "False"):
                raise OutputError("bool cell is %r" % (value,))
            return value == "True"
        if not isinstance(value, bool):
            raise OutputError("bool cell is %r" % (value,))
        return value
    raise OutputError("unexpected type %s" % type_)


def parse_json_output(text, expected):
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise OutputError("stdout is not JSON: %s" % e)
    tables = doc.get("tables") if isinstance(doc, dict) else None
    if not isinstance(tables, list) or len(tables) != 1:
        raise OutputError("expected one result table, got %r" % (
            len(tables) if isinstance(tables, list) else tables))
    t = tables[0]
    columns = [(c.get("name"), c.get("type")) for c in t.get("columns", [])]
    if t.get("truncated"):
        raise OutputError("result marked truncated")
    if columns != expected:
        raise OutputError("columns %s, expected %s" % (columns, expected))
    rows = []
    for row in t.get("rows", []):
        if not isinstance(row, list) or len(row) != len(expected):
            raise OutputError("malformed row %r" % (row,))
        rows.append(tuple(typed(v, ty, "json") for v, (_, ty) in zip(row, expected)))
    return rows


def parse_csv_output(text, expected):
    reader = csv.reader(io.StringIO(text, newline=""))
    lines = list(reader)
    if not lines:
        raise OutputError("empty CSV output")
    header = lines[0]
    names = [n for n, _ in expected]
    if header != names:
        raise OutputError("columns %s, expected %s" % (header, names))
    rows = []
    body = lines[1:]
    for i, row in enumerate(body):
        if not row:
            # A blank line separates result tables; with one column it is an empty string.
            if len(expected) == 1 and expected[0][1] == "string":
                row = [""]
            elif i == len(body) - 1:
                continue
            else:
                raise OutputError("blank line inside the table: more than one result table?")
        if len(row) != len(expected):
            raise OutputError("row %d has %d fields: %r" % (i + 1, len(row), row))
        rows.append(tuple(typed(v, ty, "csv") for v, (_, ty) in zip(row, expected)))
    return rows


def normalise_sql(rows, columns):
    out = []
    for row in rows:
        vals = []
        for v, (_, t) in zip(row, columns):
            if t == "real":
                v = float("nan") if v is None else float(v)  # avg() of nothing is NaN in KQL
            elif t == "string" and v is None:
                v = ""  # KQL strings are never null: min()/max() of nothing is ""
            elif t == "bool" and v is not None:
                v = bool(v)
            vals.append(v)
        out.append(tuple(vals))
    return out


def cell_equal(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return False
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if math.isinf(a) or math.isinf(b):
            return a == b
        return abs(a - b) <= REL_TOL * max(abs(a), abs(b)) or abs(a - b) < 1e-300
    return type(a) == type(b) and a == b


def sort_key(row):
    key = []
    for v in row:
        if v is None:
            key.append((0, 0))
        elif isinstance(v, float):
            key.append((1, -math.inf if math.isnan(v) else v))
        elif isinstance(v, (int, bool)):
            key.append((1, v))
        else:
            key.append((2, v))
    return key


def render_cell(v, t):
    if v is None:
        return "null"
    if t == "datetime":
        return format_iso(v)
    return repr(v)


def render_rows(rows, columns):
    return ["  " + " | ".join(render_cell(v, t) for v, (_, t) in zip(row, columns)) for row in rows]


def compare(got, want, columns, ordered):
    """None when equal, else a description with a diff of the first rows."""
    if not ordered:
        got, want = sorted(got, key=sort_key), sorted(want, key=sort_key)
    first = None
    for i in range(min(len(got), len(want))):
        if not all(cell_equal(a, b) for a, b in zip(got[i], want[i])):
            first = i
            break
    if first is None and len(got) == len(want):
        return None
    if first is None:
        first = min(len(got), len(want))
    lo = max(0, first - 2)
    diff = difflib.unified_diff(render_rows(want[lo:first + 8], columns),
                                render_rows(got[lo:first + 8], columns),
                                "sqlite (rows %d..)" % lo, "flowlens (rows %d..)" % lo, lineterm="")
    return ("rows: flowlens %d, sqlite %d; first difference at row %d (%s)\n%s"
            % (len(got), len(want), first, "ordered" if ordered else "sorted for comparison",
               "\n".join(diff)))


# ---------------------------------------------------------------------------------------------
# Rendering of SQLite results in the CLI's output contract (for --self-check without the
# engine: the comparer then reads exactly what it reads from flowlens).

def contract_real(v):
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def render_contract(rows, columns, fmt):
    if fmt == "json":
        def cell(v, t):
            if v is None:
                return None
            if t == "datetime":
                return format_iso(v)
            if t == "real" and (math.isnan(v) or math.isinf(v)):
                return contract_real(v)
            return v
        return json.dumps({"tables": [{"columns": [{"name": n, "type": t} for n, t in columns],
                                       "rows": [[cell(v, t) for v, (_, t) in zip(row, columns)]
                                                for row in rows],
                                       "render": None, "truncated": False}]})
    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow([n for n, _ in columns])
    for row in rows:
        cells = []
        for v, (_, t) in zip(row, columns):
            if v is None:
                cells.append("")
            elif t == "datetime":
                cells.append(format_iso(v))
            elif t == "real":
                cells.append(contract_real(v))
            elif t == "bool":
                cells.append("True" if v else "False")
            else:
                cells.append(str(v))
        w.writerow(cells)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------

def run_flowlens(flowlens, data_dir, q):
    cmd = [flowlens, "query", "--data", data_dir, "--now", NOW_ISO, "--format", q.fmt, q.kql]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=120)
    except subprocess.TimeoutExpired:
        return None, "timed out after 120 s", time.monotonic() - start
    return p, None, time.monotonic() - start


def check_one(q, p, err, sql_rows):
    """None when flowlens agrees with SQLite, else the report text."""
    if err:
        return "flowlens: " + err
    if p.returncode != 0:
        return "flowlens exited %d\n%s" % (p.returncode, p.stderr.strip()[:3000])
    try:
        got = (parse_json_output if q.fmt == "json" else parse_csv_output)(p.stdout, q.columns)
    except OutputError as e:
        return "unexpected output (%s): %s\n%s" % (q.fmt, e, p.stdout[:1500])
    return compare(got, sql_rows, q.columns, q.ordered)


def report(i, q, text):
    print("=" * 100)
    print("MISMATCH query %d (%s, --format %s)" % (i, q.shape, q.fmt))
    print("-- KQL:\n" + q.kql)
    print("-- SQL:\n" + q.sql)
    print("-- " + text)


def sql_rows_of(db, q):
    cur = db.execute(q.sql)
    names = [d[0] for d in cur.description]
    if names != [n for n, _ in q.columns]:
        raise AssertionError("SQL columns %s != expected %s for\n%s" % (names, q.columns, q.sql))
    return normalise_sql(cur.fetchall(), q.columns)


def perturbations(q, rows, r):
    """Wrong versions of a non-empty SQLite result, each of which the comparer must report."""
    row_i = r.randrange(len(rows))
    col_i = r.randrange(len(q.columns))
    bad = [list(row) for row in rows]
    v, t = bad[row_i][col_i], q.columns[col_i][1]
    if v is None:
        bad[row_i][col_i] = 1 if t != "string" else "x"
    elif t == "string":
        bad[row_i][col_i] = v + "~"
    elif t == "real":
        bad[row_i][col_i] = (v * (1 + 1e-6) + 1e-6) if not math.isnan(v) else 0.0
    else:
        bad[row_i][col_i] = v + 1
    out = [("one cell changed (row %d, %s)" % (row_i, q.columns[col_i][0]),
            [tuple(x) for x in bad]),
           ("one row dropped", rows[:row_i] + rows[row_i + 1:]),
           ("one row duplicated", rows + [rows[row_i]])]
    if q.ordered and len(rows) > 1 and rows[0] != rows[-1]:
        out.append(("order reversed", list(reversed(rows))))
    return out


def self_check(flowlens, data_dir, db, queries, use_query):
    """The comparer must report each deliberate perturbation; unperturbed results must pass.

    The perturbed SQLite results are compared with the exact results rendered in the CLI's JSON
    and CSV contract (which also checks the output parsers), and, when flowlens has the query
    command, with its real output on the queries where it agrees with SQLite."""
    r = random.Random(1)
    picked, per_shape = [], {}
    for q in queries:
        if per_shape.get(q.shape, 0) >= 3:
            continue
        rows = sql_rows_of(db, q)
        if rows:
            picked.append((q, rows))
            per_shape[q.shape] = per_shape.get(q.shape, 0) + 1
        if len(picked) >= 12:
            break
    if not picked:
        print("self-check: no query with rows")
        return 1
    failures = checked = 0
    for n, (q, rows) in enumerate(picked):
        outputs = []
        for fmt in ("json", "csv"):
            outputs.append((fmt, "rendered", subprocess.CompletedProcess(
                [], 0, render_contract(rows, q.columns, fmt), ""), None))
        if use_query:
            p, err, _ = run_flowlens(flowlens, data_dir, q)
            outputs.append((q.fmt, "flowlens", p, err))
        for fmt, source, p, err in outputs:
            q.fmt = fmt
            base = check_one(q, p, err, rows)
            if base is not None:
                if source == "flowlens":
                    print("self-check: flowlens already differs on this query (not a comparer fault):")
                else:
                    print("self-check FAIL: the comparer rejects an exact rendering")
                    failures += 1
                report(n, q, base)
                continue
            for what, want in perturbations(q, rows, r):
                checked += 1
                if check_one(q, p, err, want) is None:
                    print("self-check FAIL (%s %s): perturbation not reported: %s\n%s"
                          % (source, fmt, what, q.kql))
                    failures += 1
            # A wrong column name must be reported too.
            checked += 1
            saved = q.columns
            q.columns = [(name + "x", t) for name, t in saved]
            if check_one(q, p, err, rows) is None:
                print("self-check FAIL (%s %s): a wrong column name was not reported\n%s"
                      % (source, fmt, q.kql))
                failures += 1
            q.columns = saved
    # Tolerance: a relative error of 1e-12 is accepted, 1e-6 is not; NaN equals NaN only.
    checked += 1
    if (not cell_equal(1.0, 1.0 + 1e-12) or cell_equal(1.0, 1.0 + 1e-6)
            or not cell_equal(float("nan"), float("nan")) or cell_equal(float("nan"), 0.0)):
        print("self-check FAIL: real tolerance")
        failures += 1
    print("self-check: %d perturbations over %d queries (against rendered JSON and CSV%s), "
          "%d not reported" % (checked, len(picked), ", and flowlens output where it agrees"
                               if use_query else "", failures))
    return 1 if failures else 0


def check_sql(db, raw, schemas, queries, limit):
    """Independent evaluation in Python over the exported rows, compared with SQLite."""
    dict_rows = {t: [dict(zip([n for n, _ in schemas[t]], row)) for row in raw[t]] for t in TABLES}
    bad = 0
    for i, q in enumerate(queries[:limit]):
        want = normalise_sql(q.py(dict_rows[q.table]), q.columns)
        got = sql_rows_of(db, q)
        diff = compare(got, want, q.columns, q.ordered)
        if diff:
            bad += 1
            print("=" * 100)
            print("SQL translation differs from the Python evaluation, query %d" % i)
            print("-- KQL:\n" + q.kql + "\n-- SQL:\n" + q.sql + "\n-- " +
                  diff.replace("flowlens", "sqlite-x").replace("sqlite (", "python ("))
    print("check-sql: %d queries, %d disagree" % (min(limit, len(queries)), bad))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("flowlens")
    ap.add_argument("workdir")
    ap.add_argument("--data", help="existing data directory (default: generate into WORKDIR)")
    ap.add_argument("-n", "--queries", type=int,
                    default=int(os.environ.get("FLOWLENS_DIFF_N", DEFAULT_QUERIES)))
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("FLOWLENS_DIFF_SEED", DEFAULT_SEED)))
    ap.add_argument("--print-queries", action="store_true")
    ap.add_argument("--sql-only", action="store_true")
    ap.add_argument("--check-sql", type=int, nargs="?", const=-1, metavar="K")
    ap.add_argument("--self-check", action="store_true")
    ap.add_argument("--simulate", action="store_true",
                    help="stand the SQLite results, rendered in the CLI's output contract, in for "
                         "flowlens (exercises everything but the engine)")
    ap.add_argument("--jobs", type=int, default=2, help="flowlens processes at a time")
    args = ap.parse_args()

    start = time.monotonic()
    flowlens = os.path.abspath(args.flowlens)
    os.makedirs(args.workdir, exist_ok=True)
    use_query = has_query_command(flowlens)
    needs_engine = not (args.print_queries or args.sql_only or args.check_sql is not None
                        or args.self_check or args.simulate)
    if needs_engine and not use_query:
        print("skipped: %s has no query command" % flowlens)
        return 77
    try:
        data_dir = prepare_data(flowlens, args.workdir, args.data)
        db, schemas, raw = load_tables(flowlens, data_dir, args.workdir)
    except SetupError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    profiles = {t: Profile(db, t, schemas[t], raw[t]) for t in TABLES}
    gen = Generator(profiles, args.seed)
    queries = [gen.query() for _ in range(args.queries)]
    setup = time.monotonic() - start
    print("differential: seed %d, %d queries, data %s (%s), setup %.1f s"
          % (args.seed, len(queries), data_dir,
             ", ".join("%s %d rows" % (t, profiles[t].rows) for t in TABLES), setup))

    if args.print_queries:
        for i, q in enumerate(queries):
            print("-- query %d (%s, %s, %s)" % (i, q.shape, q.fmt,
                                                 "ordered" if q.ordered else "unordered"))
            print(q.kql)
            print("-- sql: " + q.sql + "\n")
        return 0
    if args.check_sql is not None:
        limit = len(queries) if args.check_sql < 0 else args.check_sql
        return check_sql(db, raw, schemas, queries, limit)
    if args.self_check:
        return self_check(flowlens, data_dir, db, queries, use_query)
    if args.sql_only:
        sizes = []
        for i, q in enumerate(queries):
            rows = sql_rows_of(db, q)
            sizes.append(len(rows))
        empty = sum(1 for s in sizes if s == 0)
        print("sql-only: %d queries ran in %.1f s; rows: total %d, max %d, %d empty results"
              % (len(queries), time.monotonic() - start, sum(sizes), max(sizes), empty))
        shapes = {}
        for q in queries:
            shapes[q.shape] = shapes.get(q.shape, 0) + 1
        print("shapes: " + ", ".join("%s %d" % kv for kv in sorted(shapes.items())))
        return 0

    mismatches = failures = rows_compared = 0
    if not args.simulate:
        for problem in check_getschema(flowlens, data_dir):
            print("=" * 100)
            print("MISMATCH " + problem)
            mismatches += 1
    engine_time = 0.0
    run_query = run_flowlens
    if args.simulate:
        def run_query(_flowlens, _data_dir, q):
            out = render_contract(sql_rows_of(sim_db, q), q.columns, q.fmt)
            return subprocess.CompletedProcess([], 0, out, ""), None, 0.0
        sim_db = sqlite3.connect(":memory:", check_same_thread=False)
        db.backup(sim_db)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_query, flowlens, data_dir, q) for q in queries]
        for i, (q, fut) in enumerate(zip(queries, futures)):
            want = sql_rows_of(db, q)
            p, err, took = fut.result()
            engine_time += took
            text = check_one(q, p, err, want)
            rows_compared += len(want)
            if text is not None:
                if err or p.returncode != 0 or text.startswith("unexpected output"):
                    failures += 1
                else:
                    mismatches += 1
                report(i, q, text)
    total = time.monotonic() - start
    print("=" * 100)
    print("differential: %d queries run, %d rows compared, %d mismatches, %d flowlens failures; "
          "%.1f s (setup %.1f s, flowlens %.1f s cumulative); seed %d"
          % (len(queries), rows_compared, mismatches, failures, total, setup, engine_time,
             args.seed))
    return 1 if mismatches or failures else 0


if __name__ == "__main__":
    sys.exit(main())
