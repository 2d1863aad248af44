#!/usr/bin/env python3
"""A plain, hand-written pure-Python scorer of the national pack `vn.enterprise`.

It serves two purposes:

* a benchmark baseline ("a straightforward hand-written pure-Python scorer");
* an independent oracle to cross-check the Rust engine against
  `shared/spec/default-pack.md` (the scoring spec).

Usage:
    python3 bench/reference_scorer.py --period 2024 < in.jsonl > out.jsonl
    python3 bench/reference_scorer.py --period 2024-01-01..2024-06-30 < in.jsonl

One JSON line is written per input record, in input order, with the keys
`id`, the identifying fields `name`, `province` and `unit` (as given, null
when absent), `period` (`2024` for a whole year, else `start..end`), `status`, `total`, `class`, `class_label`, `groups`, `criteria`, `gates`
and `errors`. Blank (whitespace-only) input lines are not records and are
skipped; any other line that is not valid JSON gives a status "error" line.

Points are held as integer hundredths throughout, so they are exact; they turn
into JSON numbers only when a result is written (8, 12.5, 0.63).

Standard library only.
"""

import argparse
import datetime
import json
import re
import sys

# ---------------------------------------------------------------------------
# The pack's declared input fields, in the order of the spec's input table.
# ---------------------------------------------------------------------------

OWNERSHIP_VALUES = ("private", "fdi", "cooperative", "household", "state")

# (field, kind, required)
# kinds: "string", "ownership", "bool", "count" (integer >= 0),
#        "date_list" (list of ISO dates), "date_or_null" (ISO date or null)
FIELDS = [
    ("id", "string", True),
    ("name", "string", False),
    ("province", "string", False),
    ("unit", "string", False),
    ("ownership", "ownership", True),
    ("has_union", "bool", True),
    ("employees", "count", True),
    ("regulation_issued", "bool", True),
    ("regulation_union_consulted", "bool", True),
    ("regulation_published", "bool", True),
    ("dialogue_employee_reps", "count", True),
    ("periodic_dialogue_dates", "date_list", True),
    ("dialogue_minutes_published", "bool", True),
    ("dialogue_requests", "count", True),
    ("dialogue_requests_answered", "count", True),
    ("workers_conference_date", "date_or_null", True),
    ("union_coorganised_conference", "bool", True),
    ("disclosed_business", "bool", True),
    ("disclosed_rules_pay_norms", "bool", True),
    ("disclosed_collective_agreement", "bool", True),
    ("disclosed_funds", "bool", True),
    ("disclosed_contributions", "bool", True),
    ("disclosed_rewards_discipline", "bool", True),
    ("consulted_internal_rules", "bool", True),
    ("consulted_pay_norms", "bool", True),
    ("consulted_conditions", "bool", True),
    ("supervised_contracts", "bool", True),
    ("supervised_internal_rules", "bool", True),
    ("supervised_funds", "bool", True),
    ("supervised_contributions", "bool", True),
    ("supervised_rewards_discipline", "bool", True),
    ("collective_agreement_in_force", "bool", True),
    ("strikes", "count", True),
    ("collective_disputes", "count", True),
    ("democracy_fines", "count", True),
]

FIELD_INDEX = {f[0]: i for i, f in enumerate(FIELDS)}

CLASS_LABELS = {
    "tot": "Tốt",
    "kha": "Khá",
    "trung_binh": "Trung bình",
    "yeu": "Yếu",
}
# Higher rank = better class.
CLASS_RANK = {"yeu": 0, "trung_binh": 1, "kha": 2, "tot": 3}

# Bands on the total, in hundredths, best first.
BANDS = [("tot", 8000), ("kha", 6500), ("trung_binh", 5000)]
LOWEST_BAND = "yeu"

# Group maxima in hundredths.
GROUP_MAX = {"1": 1500, "2": 2500, "3": 2000, "4": 1500, "5": 1500, "6": 1000}

# Art. 38 minimum of worker-side dialogue representatives, by head count:
# (employees below this bound, minimum reps); 1,000 or more -> 24.
ART38_BRACKETS = [(50, 3), (150, 4), (300, 9), (500, 14), (1000, 19)]
ART38_TOP = 24

# ASCII digits only, matched in full (no trailing newline, no other digits).
ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
YEAR_RE = re.compile(r"([0-9]{4})")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def parse_iso_date(text):
    """Return a datetime.date for a strict "YYYY-MM-DD" string, else None."""
    if not isinstance(text, str):
        return None
    m = ISO_DATE_RE.fullmatch(text)
    if not m:
        return None
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def parse_period(text):
    """Parse "2024" or "2024-01-01..2024-12-31" into (start, end) dates."""
    text = text.strip()
    m = YEAR_RE.fullmatch(text)
    if m:
        year = int(m.group(1))
        if year < 1:
            raise ValueError("year out of range: %r" % text)
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    parts = text.split("..")
    if len(parts) != 2:
        raise ValueError(
            "period must be a year (2024) or a range (2024-01-01..2024-12-31): %r" % text)
    start = parse_iso_date(parts[0].strip())
    end = parse_iso_date(parts[1].strip())
    if start is None or end is None:
        raise ValueError("period dates must be YYYY-MM-DD: %r" % text)
    if start > end:
        raise ValueError("period starts after it ends: %r" % text)
    return start, end


def json_type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def is_integer(value):
    # JSON true/false are not integers (bool is a subclass of int in Python),
    # and a JSON number with a fraction or exponent (12.0, 1e3) is not an
    # integer either: the field is declared as an integer.
    return isinstance(value, int) and not isinstance(value, bool)


def round_half_away_hundredths(numerator, denominator):
    """numerator / denominator in hundredths, rounded half away from zero.

    Both arguments are integers and denominator > 0; numerator is the value
    already multiplied by 100.
    """
    sign = -1 if numerator < 0 else 1
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return sign * q


def hundredths_to_json(h):
    """8 for 800, 12.5 for 1250, 0.63 for 63 (a JSON number)."""
    if h % 100 == 0:
        return h // 100
    # str -> float gives the float nearest to the exact two-decimal value,
    # which json.dumps writes back as the shortest repr ("0.63", "12.5").
    sign = "-" if h < 0 else ""
    return float("%s%d.%02d" % (sign, abs(h) // 100, abs(h) % 100))


def art38_minimum(employees):
    for bound, minimum in ART38_BRACKETS:
        if employees < bound:
            return minimum
    return ART38_TOP


def in_period(d, start, end):
    return d is not None and start <= d <= end


# ---------------------------------------------------------------------------
# Applicability and validation
# ---------------------------------------------------------------------------

def is_not_applicable(rec):
    """Judged first, from `ownership` and `has_union` alone.

    Not applicable when ownership is exactly "state" or has_union is exactly
    JSON false. If neither holds (including when either field is missing or
    malformed) the record goes on to validation, which reports any problem.
    """
    return rec.get("ownership") == "state" or rec.get("has_union") is False


def validate(rec):
    """Return the list of problems of a record, each {"field", "message"}."""
    errors = []

    def err(field, message):
        errors.append({"field": field, "message": message})

    for field, kind, required in FIELDS:
        if field not in rec:
            if required:
                err(field, "missing required field")
            continue
        value = rec[field]

        if kind == "string":
            if value is None and not required:
                continue
            if not isinstance(value, str):
                err(field, "expected a string, got %s" % json_type_name(value))

        elif kind == "ownership":
            if not isinstance(value, str):
                err(field, "expected one of %s, got %s"
                    % (", ".join(OWNERSHIP_VALUES), json_type_name(value)))
            elif value not in OWNERSHIP_VALUES:
                err(field, "expected one of %s, got %r"
                    % (", ".join(OWNERSHIP_VALUES), value))

        elif kind == "bool":
            if not isinstance(value, bool):
                err(field, "expected a boolean, got %s" % json_type_name(value))

        elif kind == "count":
            if not is_integer(value):
                err(field, "expected an integer, got %s" % json_type_name(value))
            elif value < 0:
                err(field, "must be >= 0, got %d" % value)

        elif kind == "date_list":
            if not isinstance(value, list):
                err(field, "expected a list of dates (YYYY-MM-DD), got %s"
                    % json_type_name(value))
            else:
                for i, item in enumerate(value):
                    if not isinstance(item, str):
                        err(field, "item %d: expected a date string (YYYY-MM-DD), got %s"
                            % (i, json_type_name(item)))
                    elif parse_iso_date(item) is None:
                        err(field, "item %d: not a valid date (YYYY-MM-DD): %r" % (i, item))

        elif kind == "date_or_null":
            if value is None:
                continue
            if not isinstance(value, str):
                err(field, "expected a date (YYYY-MM-DD) or null, got %s"
                    % json_type_name(value))
            elif parse_iso_date(value) is None:
                err(field, "not a valid date (YYYY-MM-DD): %r" % value)

        else:  # pragma: no cover - a programming error in FIELDS
            raise AssertionError("unknown kind %r" % kind)

    requests = rec.get("dialogue_requests")
    answered = rec.get("dialogue_requests_answered")
    if (is_integer(requests) and is_integer(answered)
            and requests >= 0 and answered >= 0 and answered > requests):
        err("dialogue_requests_answered",
            "greater than dialogue_requests (%d > %d)" % (answered, requests))

    # Report problems in the order of the fields (a stable sort keeps the
    # items of one list in their order).
    errors.sort(key=lambda e: FIELD_INDEX[e["field"]])
    return errors


# ---------------------------------------------------------------------------
# Scoring (the record is known to be valid here)
# ---------------------------------------------------------------------------

def score_criteria(rec, start, end):
    """Return (criteria, dialogue_in_period, conference_in_period).

    criteria is an ordered dict of criterion id -> points in hundredths.
    """
    c = {}

    # Group 1: regulation
    issued = rec["regulation_issued"]
    c["1.1"] = 800 if issued else 0
    c["1.2"] = 300 if issued and rec["regulation_union_consulted"] else 0
    c["1.3"] = 400 if issued and rec["regulation_published"] else 0

    # Group 2: dialogue
    dialogue_in_period = any(
        in_period(parse_iso_date(d), start, end) for d in rec["periodic_dialogue_dates"])
    c["2.1"] = 1000 if dialogue_in_period else 0
    c["2.2"] = 500 if rec["dialogue_employee_reps"] >= art38_minimum(rec["employees"]) else 0
    c["2.3"] = 500 if dialogue_in_period and rec["dialogue_minutes_published"] else 0
    requests = rec["dialogue_requests"]
    if requests == 0:
        c["2.4"] = 500
    else:
        # 5 x answered / requests, in hundredths: 500 x answered / requests
        c["2.4"] = round_half_away_hundredths(500 * rec["dialogue_requests_answered"], requests)

    # Group 3: workers' conference
    conference_in_period = in_period(parse_iso_date(rec["workers_conference_date"]), start, end)
    c["3.1"] = 1500 if conference_in_period else 0
    c["3.2"] = 500 if conference_in_period and rec["union_coorganised_conference"] else 0

    # Group 4: publicity (Art. 43); 4.3 earns full marks when no agreement is in force
    c["4.1"] = 250 if rec["disclosed_business"] else 0
    c["4.2"] = 250 if rec["disclosed_rules_pay_norms"] else 0
    if not rec["collective_agreement_in_force"]:
        c["4.3"] = 250
    else:
        c["4.3"] = 250 if rec["disclosed_collective_agreement"] else 0
    c["4.4"] = 250 if rec["disclosed_funds"] else 0
    c["4.5"] = 250 if rec["disclosed_contributions"] else 0
    c["4.6"] = 250 if rec["disclosed_rewards_discipline"] else 0

    # Group 5: participation
    consulted = [rec["consulted_internal_rules"], rec["consulted_pay_norms"],
                 rec["consulted_conditions"]]
    c["5.1"] = 200 * sum(1 for v in consulted if v)
    supervised = [rec["supervised_contracts"], rec["supervised_internal_rules"],
                  rec["supervised_funds"], rec["supervised_contributions"],
                  rec["supervised_rewards_discipline"]]
    c["5.2"] = 100 * sum(1 for v in supervised if v)
    c["5.3"] = 400 if rec["collective_agreement_in_force"] else 0

    # Group 6: outcomes
    c["6.1"] = 500 if rec["strikes"] == 0 else 0
    c["6.2"] = 300 if rec["collective_disputes"] == 0 else 0
    c["6.3"] = 200 if rec["democracy_fines"] == 0 else 0

    return c, dialogue_in_period, conference_in_period


def band_for(total):
    for code, threshold in BANDS:
        if total >= threshold:
            return code
    return LOWEST_BAND


def result_id(rec):
    if isinstance(rec, dict) and isinstance(rec.get("id"), str):
        return rec["id"]
    return None


def empty_result(rid, status, errors=()):
    return {
        "id": rid,
        "status": status,
        "total": None,
        "class": None,
        "class_label": None,
        "groups": {},
        "criteria": {},
        "gates": [],
        "errors": list(errors),
    }


def score_record(rec, start, end):
    """Score one parsed record (any JSON value) for the period [start, end]."""
    if not isinstance(rec, dict):
        return empty_result(None, "error", [{
            "field": None,
            "message": "record is not a JSON object (got %s)" % json_type_name(rec)}])

    rid = result_id(rec)

    # A key given twice is ambiguous: neither value is trusted.
    if getattr(rec, "repeated", ()):
        return empty_result(rid, "error", [{
            "field": None, "message": "repeated keys: %s" % ", ".join(rec.repeated)}])

    if is_not_applicable(rec):
        return empty_result(rid, "not_applicable")

    errors = validate(rec)
    if errors:
        return empty_result(rid, "error", errors)

    criteria, dialogue_in_period, conference_in_period = score_criteria(rec, start, end)

    groups = {g: 0 for g in GROUP_MAX}
    for cid, points in criteria.items():
        groups[cid.split(".")[0]] += points
    total = sum(criteria.values())  # exact: already in hundredths

    cls = band_for(total)

    gates = []
    if not rec["regulation_issued"] or not dialogue_in_period or not conference_in_period:
        gates.append(("G1", "trung_binh"))
    if rec["strikes"] > 0 or rec["democracy_fines"] > 0:
        gates.append(("G2", "trung_binh"))
    if any(2 * groups[g] < GROUP_MAX[g] for g in GROUP_MAX):
        gates.append(("G3", "kha"))

    for _, cap in gates:
        if CLASS_RANK[cap] < CLASS_RANK[cls]:
            cls = cap

    return {
        "id": rid,
        "status": "scored",
        "total": hundredths_to_json(total),
        "class": cls,
        "class_label": CLASS_LABELS[cls],
        "groups": {g: hundredths_to_json(p) for g, p in groups.items()},
        "criteria": {cid: hundredths_to_json(p) for cid, p in criteria.items()},
        "gates": [gid for gid, _ in gates],
        "errors": [],
    }


# The identifying fields the pack carries into every result, in its order.
CARRIED = ("name", "province", "unit")


def period_label(start, end):
    """`2024` for a whole calendar year, else `2024-01-01..2024-06-30`."""
    if start.year == end.year and (start.month, start.day) == (1, 1) \
            and (end.month, end.day) == (12, 31):
        return str(start.year)
    return "%s..%s" % (start.isoformat(), end.isoformat())


def identified(result, rec, start, end):
    """The result with the carried fields and the period right after `id`."""
    out = {"id": result["id"]}
    for key in CARRIED:
        out[key] = rec.get(key) if isinstance(rec, dict) else None
    out["period"] = period_label(start, end)
    out.update((k, v) for k, v in result.items() if k != "id")
    return out


class Record(dict):
    """A JSON object, with the keys it gave more than once (`repeated`)."""
    repeated = ()


def _object(pairs):
    rec = Record(pairs)
    if len(rec) != len(pairs):
        seen = set()
        rec.repeated = [k for k, _ in pairs if k in seen or seen.add(k)]
    return rec


def _reject_constant(name):
    raise ValueError("not valid JSON: %s" % name)


def score_line(line, start, end):
    """Score one input line (str). Returns a result dict."""
    try:
        rec = json.loads(line, parse_constant=_reject_constant, object_pairs_hook=_object)
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        return identified(empty_result(None, "error", [{
            "field": None, "message": "line is not valid JSON: %s" % e}]), None, start, end)
    return identified(score_record(rec, start, end), rec, start, end)


def iter_lines(stream):
    """Yield the text of each non-blank line of a binary stream.

    A line that is not UTF-8 is yielded as None (it becomes an error result).
    """
    first = True
    for raw in stream:
        if first and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        first = False
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield None
            continue
        if text.strip() == "":
            continue
        yield text


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Reference scorer of the vn.enterprise pack (JSONL in, JSONL out).")
    parser.add_argument("--period", required=True,
                        help="a year (2024) or a closed range YYYY-MM-DD..YYYY-MM-DD")
    args = parser.parse_args(argv)
    try:
        start, end = parse_period(args.period)
    except ValueError as e:
        parser.error(str(e))

    out = sys.stdout
    write = out.write
    for text in iter_lines(sys.stdin.buffer):
        if text is None:
            result = identified(empty_result(None, "error", [{
                "field": None, "message": "line is not valid UTF-8"}]), None, start, end)
        else:
            result = score_line(text, start, end)
        write(json.dumps(result, ensure_ascii=False))
        write("\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(encoding="utf-8")
    sys.exit(main())
