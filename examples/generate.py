#!/usr/bin/env python3
"""Deterministic generator of example enterprise records for chamdiem.

The bundled example files were made with exactly these commands (run from the
repository root):

    python3 examples/generate.py --count 300 --year 2024 --seed 2024 --format jsonl --bad-fraction 0.03 > examples/doanh-nghiep-2024.jsonl
    python3 examples/generate.py --count 300 --year 2024 --seed 2024 --format csv --bad-fraction 0.03 > examples/doanh-nghiep-2024.csv

Both commands draw the same records (every random draw is made whatever the
format), so the CSV file holds the same data as the JSONL file.

Each record carries the fields of the input table of
`shared/spec/default-pack.md`, with the exact field names. A hidden quality
level per firm (tot, kha, trung_binh, yeu) drives how likely each obligation is
met, so that every class appears in good numbers. State-owned firms and firms
without a union are mixed in; some of them have a blank sheet (not applicable,
so not an error).

With --bad-fraction F, round(F x count) of the applicable records are broken in
varied ways: a missing required field, a wrong type, a negative count, a date
that does not parse, answered > requests, a misspelt field name. About a
quarter of the broken records carry two problems.

CSV form: a header with every field name in the spec's order, then any
misspelt/unknown field name met in the records, in the order first met;
booleans as true/false (in a minority of rows có/không or 1/0); lists joined
with ";"; an empty cell for null or missing; RFC 4180 quoting.

Note on CSV: an empty cell stands for both null and missing, so a record whose
`workers_conference_date` is missing or misspelt is an error in JSONL but reads
as "no conference" (null) in CSV. Missing-field breaks therefore never pick
`workers_conference_date` or `periodic_dialogue_dates` (an empty list is an
empty cell too); only the first misspelt-name break of a run hits
`workers_conference_date` (written "workers_conferance_date"), the case the spec
names ("a misspelt column must not pass for 'no conference'"), and that one
record's status differs between the two forms: error in JSONL, scored in CSV.

Standard library only.
"""

import argparse
import calendar
import csv
import datetime
import json
import math
import random
import sys

FIELD_ORDER = [
    "id", "name", "province", "unit", "ownership", "has_union", "employees",
    "regulation_issued", "regulation_union_consulted", "regulation_published",
    "dialogue_employee_reps", "periodic_dialogue_dates", "dialogue_minutes_published",
    "dialogue_requests", "dialogue_requests_answered", "workers_conference_date",
    "union_coorganised_conference", "disclosed_business", "disclosed_rules_pay_norms",
    "disclosed_collective_agreement", "disclosed_funds", "disclosed_contributions",
    "disclosed_rewards_discipline", "consulted_internal_rules", "consulted_pay_norms",
    "consulted_conditions", "supervised_contracts", "supervised_internal_rules",
    "supervised_funds", "supervised_contributions", "supervised_rewards_discipline",
    "collective_agreement_in_force", "strikes", "collective_disputes", "democracy_fines",
]

# ---------------------------------------------------------------------------
# Places and union units
# ---------------------------------------------------------------------------

TAY_NINH = "Tây Ninh"
# (unit, weight, place names used in firm names)
TAY_NINH_UNITS = [
    ("Liên đoàn Lao động huyện Dương Minh Châu", 16,
     ["Dương Minh Châu", "Phước Ninh", "Phước Minh", "Suối Đá", "Truông Mít", "Bàu Năng",
      "Chà Là", "Cầu Khởi", "Lộc Ninh", "Phan", "Bến Củi", "Phước Đông"]),
    ("Công đoàn các Khu công nghiệp tỉnh Tây Ninh", 22,
     ["Trảng Bàng", "Phước Đông", "Thành Thành Công", "Chà Là", "An Tịnh", "Lộc Hưng"]),
    ("Liên đoàn Lao động huyện Tân Biên", 6, ["Tân Biên", "Thạnh Tây", "Hòa Hiệp", "Tân Lập"]),
    ("Liên đoàn Lao động huyện Tân Châu", 6, ["Tân Châu", "Suối Dây", "Tân Hưng", "Tân Hội"]),
    ("Liên đoàn Lao động huyện Châu Thành", 6, ["Châu Thành", "Thanh Điền", "Hòa Hội", "Biên Giới"]),
    ("Liên đoàn Lao động huyện Gò Dầu", 7, ["Gò Dầu", "Phước Thạnh", "Thạnh Đức", "Cẩm Giang"]),
    ("Liên đoàn Lao động huyện Bến Cầu", 4, ["Bến Cầu", "Long Thuận", "Lợi Thuận", "Tiên Thuận"]),
    ("Liên đoàn Lao động thị xã Trảng Bàng", 9, ["Trảng Bàng", "An Tịnh", "Gia Lộc", "Lộc Hưng"]),
    ("Liên đoàn Lao động thị xã Hòa Thành", 6, ["Hòa Thành", "Long Hoa", "Trường Hòa", "Hiệp Tân"]),
    ("Liên đoàn Lao động thành phố Tây Ninh", 6, ["Tây Ninh", "Núi Bà", "Ninh Sơn", "Thạnh Tân"]),
]

# (province, tax-code prefix, weight, units, place names)
OTHER_PROVINCES = [
    ("Bình Dương", "37", 4,
     ["Công đoàn các Khu công nghiệp tỉnh Bình Dương", "Liên đoàn Lao động thành phố Thủ Dầu Một",
      "Liên đoàn Lao động thành phố Dĩ An"],
     ["Bình Dương", "Thủ Dầu Một", "Dĩ An", "Tân Uyên", "Mỹ Phước"]),
    ("Đồng Nai", "36", 3,
     ["Công đoàn các Khu công nghiệp tỉnh Đồng Nai", "Liên đoàn Lao động thành phố Biên Hòa"],
     ["Đồng Nai", "Biên Hòa", "Long Thành", "Nhơn Trạch", "Trảng Bom"]),
    ("Long An", "11", 3,
     ["Liên đoàn Lao động huyện Đức Hòa", "Liên đoàn Lao động huyện Bến Lức"],
     ["Long An", "Đức Hòa", "Bến Lức", "Hậu Nghĩa", "Cần Giuộc"]),
    ("Bình Phước", "38", 2,
     ["Liên đoàn Lao động thị xã Chơn Thành", "Liên đoàn Lao động thành phố Đồng Xoài"],
     ["Bình Phước", "Chơn Thành", "Đồng Xoài", "Lộc Ninh", "Bình Long"]),
    ("TP. Hồ Chí Minh", "03", 2,
     ["Liên đoàn Lao động huyện Củ Chi", "Công đoàn các Khu chế xuất và công nghiệp Thành phố Hồ Chí Minh"],
     ["Sài Gòn", "Củ Chi", "Tân Thuận", "Hiệp Phước", "Gia Định"]),
]

# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------

SECTORS = [
    "May mặc", "Giày da", "Cao su", "Chế biến tinh bột sắn", "Mía đường", "Điện tử",
    "Bao bì", "Gỗ nội thất", "Dệt may", "Nhựa", "Cơ khí", "Xây dựng", "Thực phẩm",
    "Vận tải", "Phân bón", "Chế biến hạt điều", "Thức ăn chăn nuôi", "Sợi",
    "Linh kiện điện tử", "Vật liệu xây dựng", "Túi xách", "Găng tay", "Nệm mút",
    "Dây cáp điện", "Bê tông", "In ấn", "Nông sản", "Chế biến gỗ",
]
FDI_SECTORS = [
    "Giày da", "May mặc", "Dệt may", "Sợi", "Điện tử", "Linh kiện điện tử", "Túi xách",
    "Găng tay", "Lốp xe", "Bao bì", "Nhựa", "Nệm mút", "Dây cáp điện", "Vải không dệt",
    "Đồ chơi", "Thiết bị y tế",
]
FDI_ROOTS = [
    "Hoa Việt", "Sheng Feng", "Jia Hsin", "Dae Han", "Sun Rise", "Mei Li", "Hanil",
    "Kyung Do", "Tien Lung", "Asia Star", "Fu Yuan", "Yuan Cheng", "Shin Woo",
    "Golden Lotus", "Everwin", "Hồng Phúc", "Đài Hưng", "Vĩnh Xương", "Tae Yang",
    "Lian Fa", "Kai Da", "Chang Hong", "Seo Won", "Hưng Nghiệp", "Pacific Crown",
    "Tân Hoa", "Ming Tai", "Woo Jin", "Grand Union", "Kinh Bắc Đài",
]
FDI_SUFFIXES = ["(Việt Nam)", "Việt Nam", "Vina", "Tây Ninh", "(Việt Nam)"]
BRAND_WORDS = [
    "Hưng Thịnh", "Phát Đạt", "Thành Công", "Minh Phát", "Đại Phúc", "An Khang",
    "Việt Thắng", "Tân Thành", "Phúc Lộc", "Thiên Ân", "Hoàng Long", "Kim Ngân",
    "Trường Sơn", "Nam Việt", "Đông Á", "Quang Minh", "Bảo Châu", "Thuận Phát",
    "Gia Huy", "Tấn Lộc", "Vạn Lợi", "Hòa Bình", "Sao Mai", "Đức Thành",
]
COOP_KINDS = [
    "Nông nghiệp", "Dịch vụ Nông nghiệp", "Vận tải", "Nông nghiệp Tổng hợp",
    "Sản xuất Bánh tráng", "Rau an toàn", "Mãng cầu", "Chăn nuôi bò sữa",
    "Tiểu thủ công nghiệp", "Thủy sản",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng",
            "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Hoàng", "Ngọc", "Hữu", "Quốc", "Kim", "Đức"]
GIVEN = ["Tâm", "Hoa", "Phúc", "Lan", "Hùng", "Dũng", "Mai", "Sơn", "Thảo", "Tuấn",
         "Hạnh", "Lộc", "Nhung", "Khoa", "Trí", "Yến", "Đạt", "Bích", "Cường", "Hiền"]
HOUSEHOLD_TRADES = [
    "Cơ sở Bánh tráng", "Cơ sở Muối tôm", "Cơ sở Chế biến hạt điều", "Cơ sở Mộc",
    "Cơ sở May gia công", "Cơ sở Nước đá", "Cơ sở Sơ chế mì", "Cơ sở Cơ khí",
]
STATE_NAMES = [
    "Công ty TNHH MTV Lâm nghiệp {p}", "Công ty TNHH MTV Công trình đô thị {p}",
    "Công ty TNHH MTV Khai thác Thủy lợi {p}", "Công ty TNHH MTV Cấp thoát nước {p}",
    "Công ty TNHH MTV Môi trường {p}", "Công ty TNHH MTV Xổ số kiến thiết {p}",
]

# ---------------------------------------------------------------------------
# Hidden quality levels
# ---------------------------------------------------------------------------

# weight, then the probabilities that drive a firm's record
QUALITY = {
    "tot":        dict(w=26, p=0.95, issued=1.00, dialogue=1.00, conf=1.00, reps=0.92,
                       trouble=0.01, answer=0.97),
    "kha":        dict(w=30, p=0.55, issued=1.00, dialogue=0.98, conf=0.97, reps=0.70,
                       trouble=0.02, answer=0.75),
    "trung_binh": dict(w=24, p=0.55, issued=0.85, dialogue=0.75, conf=0.65, reps=0.55,
                       trouble=0.07, answer=0.55),
    "yeu":        dict(w=20, p=0.25, issued=0.50, dialogue=0.40, conf=0.30, reps=0.30,
                       trouble=0.15, answer=0.30),
}

ART38_BRACKETS = [(50, 3), (150, 4), (300, 9), (500, 14), (1000, 19)]


def art38_minimum(employees):
    for bound, minimum in ART38_BRACKETS:
        if employees < bound:
            return minimum
    return 24


def weighted(rng, pairs):
    """pairs: list of (value, weight). Deterministic for a given rng state."""
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def iso(d):
    return d.isoformat()


def random_day(rng, year, month):
    return datetime.date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


class Generator:
    def __init__(self, seed, year):
        self.rng = random.Random(seed)
        self.year = year
        self.used_ids = set()
        self.used_names = set()

    # -- identity ---------------------------------------------------------

    def place(self):
        rng = self.rng
        if rng.random() < 0.82:
            unit, _, places = weighted(rng, [(u, u[1]) for u in TAY_NINH_UNITS])
            return TAY_NINH, "39", unit, places
        prov, prefix, _, units, places = weighted(
            rng, [(p, p[2]) for p in OTHER_PROVINCES])
        return prov, prefix, rng.choice(units), places

    def tax_code(self, prefix, ownership, province):
        rng = self.rng
        while True:
            if ownership in ("household", "cooperative") and rng.random() < 0.12:
                # the union's own code instead of a tax code
                code = "CĐCS-%s-%04d" % ("TN" if province == TAY_NINH else "KH",
                                          rng.randint(1, 9999))
            else:
                code = prefix + "".join(str(rng.randint(0, 9)) for _ in range(8))
                if rng.random() < 0.06:
                    code += "-%03d" % rng.randint(1, 12)  # a branch
            if code not in self.used_ids:
                self.used_ids.add(code)
                return code

    def person(self):
        rng = self.rng
        return "%s %s %s" % (rng.choice(SURNAMES), rng.choice(MIDDLE), rng.choice(GIVEN))

    def company_name(self, ownership, places, province):
        rng = self.rng
        for _ in range(50):
            place = rng.choice(places)
            if ownership == "fdi":
                suffix = rng.choice(FDI_SUFFIXES)
                if suffix == "Tây Ninh" and province != TAY_NINH:
                    suffix = "Vina"
                name = "Công ty TNHH %s %s %s" % (
                    rng.choice(FDI_SECTORS), rng.choice(FDI_ROOTS), suffix)
            elif ownership == "cooperative":
                name = "Hợp tác xã %s %s" % (rng.choice(COOP_KINDS), place)
            elif ownership == "household":
                name = "Hộ kinh doanh %s %s (%s)" % (
                    rng.choice(HOUSEHOLD_TRADES), place, self.person())
            elif ownership == "state":
                name = rng.choice(STATE_NAMES).format(p=place)
            else:
                form = weighted(rng, [("Công ty TNHH", 45), ("Công ty Cổ phần", 30),
                                      ("Công ty TNHH MTV", 15), ("Doanh nghiệp tư nhân", 10)])
                sector = rng.choice(SECTORS)
                tail = place if rng.random() < 0.55 else rng.choice(BRAND_WORDS)
                if rng.random() < 0.06:
                    # a two-trade name, with a comma (exercises CSV quoting)
                    sector = "%s, Thương mại" % sector
                name = "%s %s %s" % (form, sector, tail)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        return name  # pragma: no cover - 50 collisions in a row

    # -- numbers ----------------------------------------------------------

    def employees(self, ownership):
        rng = self.rng
        if ownership == "household":
            n = rng.randint(8, 45)
        elif ownership == "cooperative":
            n = int(math.exp(rng.gauss(math.log(25), 0.7)))
        elif ownership == "fdi":
            n = int(math.exp(rng.gauss(math.log(700), 1.0)))
        elif ownership == "state":
            n = int(math.exp(rng.gauss(math.log(250), 0.8)))
        else:
            n = int(math.exp(rng.gauss(math.log(90), 1.1)))
        if rng.random() < 0.08:
            # on or just below an Art. 38 bracket boundary, within reason for the kind
            bounds = {"household": [50], "cooperative": [50, 150]}.get(
                ownership, [50, 150, 300, 500, 1000])
            n = rng.choice(bounds) - rng.choice([0, 1])
        return max(8, min(6000, n))

    def reps(self, employees, meets_prob):
        rng = self.rng
        minimum = art38_minimum(employees)
        if rng.random() < meets_prob:
            return minimum + weighted(rng, [(0, 5), (1, 3), (2, 2), (3, 1), (4, 1)])
        return max(0, minimum - weighted(rng, [(1, 5), (2, 2), (3, 1), (minimum, 1)]))

    def dialogue_dates(self, in_year):
        rng = self.rng
        y = self.year
        dates = []
        if in_year:
            n = weighted(rng, [(1, 3), (2, 5), (3, 1), (4, 3)])
            if n == 4:
                months = [3, 6, 9, 12]
            elif n == 2:
                months = [6, 12]
            else:
                months = sorted(rng.sample(range(1, 13), n))
            for m in months:
                d = random_day(rng, y, m)
                if m == 12 and rng.random() < 0.08:
                    d = datetime.date(y, 12, 31)
                dates.append(d)
            if rng.random() < 0.05:
                dates[0] = datetime.date(y, 1, 1)
            if rng.random() < 0.12 and len(dates) < 4:
                # last year's December dialogue, entered again
                dates.insert(0, random_day(rng, y - 1, 12))
        else:
            kind = weighted(rng, [("none", 5), ("prev", 3), ("next", 1), ("edge", 2)])
            if kind == "prev":
                dates = [random_day(rng, y - 1, rng.choice([6, 11, 12]))]
            elif kind == "next":
                dates = [random_day(rng, y + 1, rng.choice([1, 2]))]
            elif kind == "edge":
                dates = [rng.choice([datetime.date(y - 1, 12, 31), datetime.date(y + 1, 1, 1)])]
        dates = [iso(d) for d in dates[:4]]
        if dates and len(dates) < 4 and rng.random() < 0.06:
            dates.append(rng.choice(dates))  # the same dialogue entered twice
        return dates

    def conference_date(self, in_year):
        rng = self.rng
        y = self.year
        if in_year:
            month = weighted(rng, [(1, 6), (2, 3), (3, 6), (4, 2), (5, 1), (12, 1)])
            return iso(random_day(rng, y, month))
        kind = weighted(rng, [("null", 6), ("prev", 3), ("next", 1)])
        if kind == "null":
            return None
        if kind == "prev":
            return iso(random_day(rng, y - 1, rng.choice([3, 11, 12])))
        return iso(random_day(rng, y + 1, 1))

    # -- a whole record -----------------------------------------------------

    def record(self):
        rng = self.rng
        province, prefix, unit, places = self.place()
        ownership = weighted(rng, [("private", 50), ("fdi", 32), ("cooperative", 7),
                                   ("household", 6), ("state", 5)])
        if unit.startswith("Công đoàn các Khu") and ownership not in ("private", "fdi"):
            ownership = "private"  # industrial-park unions cover companies only
        union_prob = {"private": 0.93, "fdi": 0.97, "cooperative": 0.8,
                      "household": 0.65, "state": 1.0}[ownership]
        has_union = rng.random() < union_prob
        level = weighted(rng, [(k, v["w"]) for k, v in QUALITY.items()])
        q = QUALITY[level]

        def b(prob):
            return rng.random() < prob

        rec = {
            "id": self.tax_code(prefix, ownership, province),
            "name": self.company_name(ownership, places, province),
            "province": province,
            "unit": unit,
            "ownership": ownership,
            "has_union": has_union,
        }
        if rng.random() < 0.03:
            del rec["unit"]  # optional field left out
        # state firms and firms without a union: often a blank sheet
        blank = (ownership == "state" and b(0.5)) or (not has_union and b(0.4))
        # bool style for the CSV form of this record, drawn whatever the format
        style = weighted(rng, [("en", 80), ("vi", 10), ("num", 10)])
        if blank:
            return rec, style

        p = q["p"]
        employees = self.employees(ownership)
        issued = b(q["issued"])
        dialogue = b(q["dialogue"])
        conference = b(q["conf"])
        agreement = b(min(0.97, p * 0.75 + (0.2 if employees >= 300 else 0.0)))
        requests = weighted(rng, [(0, 40), (1, 14), (2, 12), (3, 10), (4, 8), (5, 6),
                                  (6, 4), (7, 3), (8, 3)])
        if requests and b(q["answer"]):
            answered = requests
        else:
            answered = rng.randint(0, requests)
        trouble = q["trouble"] * (2.0 if employees >= 1000 else 1.0)

        rec.update({
            "employees": employees,
            "regulation_issued": issued,
            "regulation_union_consulted": issued and b(p),
            "regulation_published": issued and b(p),
            "dialogue_employee_reps": self.reps(employees, q["reps"]),
            "periodic_dialogue_dates": self.dialogue_dates(dialogue),
            "dialogue_minutes_published": b(p) if dialogue else b(0.1),
            "dialogue_requests": requests,
            "dialogue_requests_answered": answered,
            "workers_conference_date": self.conference_date(conference),
            "union_coorganised_conference": b(p) if conference else b(0.1),
            "disclosed_business": b(p),
            "disclosed_rules_pay_norms": b(p),
            "disclosed_collective_agreement": b(p) if agreement else b(0.05),
            "disclosed_funds": b(p),
            "disclosed_contributions": b(min(1.0, p + 0.05)),
            "disclosed_rewards_discipline": b(p),
            "consulted_internal_rules": b(p),
            "consulted_pay_norms": b(p),
            "consulted_conditions": b(p),
            "supervised_contracts": b(p),
            "supervised_internal_rules": b(p),
            "supervised_funds": b(p * 0.9),
            "supervised_contributions": b(p),
            "supervised_rewards_discipline": b(p),
            "collective_agreement_in_force": agreement,
            "strikes": weighted(rng, [(1, 4), (2, 1)]) if b(trouble) else 0,
            "collective_disputes": weighted(rng, [(1, 4), (2, 2), (3, 1)]) if b(trouble * 1.5) else 0,
            "democracy_fines": 1 if b(trouble * 0.8) else 0,
        })
        return rec, style

    # -- breaking records ----------------------------------------------------

    MISSABLE = [
        "id", "ownership", "has_union", "employees", "regulation_issued",
        "dialogue_employee_reps", "dialogue_requests", "dialogue_requests_answered",
        "union_coorganised_conference", "disclosed_funds", "supervised_contracts",
        "collective_agreement_in_force", "strikes", "democracy_fines",
    ]
    WRONG_TYPES = [
        ("employees", "nhiều"), ("employees", "khoảng 200"), ("dialogue_employee_reps", 4.5),
        ("regulation_issued", "đã ban hành"), ("collective_agreement_in_force", "đang thương lượng"),
        ("strikes", "không rõ"), ("dialogue_requests", "3 lần"),
        ("periodic_dialogue_dates", "quý II/2024"), ("has_union", "đang thành lập"),
    ]
    NEGATIVES = ["employees", "strikes", "dialogue_requests", "dialogue_employee_reps",
                 "collective_disputes", "democracy_fines"]
    BAD_DATES = ["2024-13-45", "15/06/2024", "2024-02-30", "2024-6-5", "20240615"]
    MISSPELLINGS = [
        ("workers_conference_date", "workers_conferance_date"),
        ("employees", "employes"),
        ("dialogue_requests_answered", "dialog_requests_answered"),
        ("regulation_published", "regulation_publised"),
        ("has_union", "has_unoin"),
        ("supervised_funds", "supervized_funds"),
    ]
    BREAKS = ["missing", "wrong_type", "negative", "bad_date", "answered_gt", "misspelt"]

    def break_record(self, rec, kind, first):
        """Break rec in the way `kind` says. The first break of each kind in a
        run is the textbook case (the one the brief names); later ones vary."""
        rng = self.rng
        if kind == "missing":
            del rec[rng.choice([f for f in self.MISSABLE if f in rec])]
        elif kind == "wrong_type":
            field, value = self.WRONG_TYPES[0] if first else rng.choice(self.WRONG_TYPES)
            rec[field] = value
        elif kind == "negative":
            field = rng.choice(self.NEGATIVES)
            rec[field] = -rng.randint(1, 150 if field == "employees" else 3)
        elif kind == "bad_date":
            bad = (self.BAD_DATES[0] if first else rng.choice(self.BAD_DATES)).replace(
                "2024", str(self.year))
            if (first or rng.random() < 0.5) and isinstance(rec.get("periodic_dialogue_dates"), list):
                dates = list(rec["periodic_dialogue_dates"])
                dates.insert(rng.randint(0, len(dates)), bad)
                rec["periodic_dialogue_dates"] = dates[:4]
                if bad not in rec["periodic_dialogue_dates"]:
                    rec["periodic_dialogue_dates"][-1] = bad
            else:
                rec["workers_conference_date"] = bad
        elif kind == "answered_gt":
            requests = rng.randint(0, 4)
            rec["dialogue_requests"] = requests
            rec["dialogue_requests_answered"] = requests + rng.randint(1, 3)
        elif kind == "misspelt":
            # only the first misspelling of a run hits workers_conference_date: in CSV
            # that record cannot be told from "no conference" (see the note above)
            right, wrong = self.MISSPELLINGS[0] if first else rng.choice(self.MISSPELLINGS[1:])
            if right not in rec:
                right, wrong = self.MISSPELLINGS[1]
            value = rec[right]
            if right == "workers_conference_date" and value is None:
                value = iso(random_day(rng, self.year, 3))
            rebuilt = {}
            for k, v in rec.items():
                if k == right:
                    rebuilt[wrong] = value
                else:
                    rebuilt[k] = v
            rec.clear()
            rec.update(rebuilt)
        else:  # pragma: no cover
            raise AssertionError(kind)

    def generate(self, count, bad_fraction):
        pairs = [self.record() for _ in range(count)]
        applicable = [i for i, (rec, _) in enumerate(pairs)
                      if rec["ownership"] != "state" and rec["has_union"]
                      and "employees" in rec]
        n_bad = min(len(applicable), int(round(bad_fraction * count)))
        bad = sorted(self.rng.sample(applicable, n_bad))
        kinds = []
        while len(kinds) < n_bad:
            batch = list(self.BREAKS)
            self.rng.shuffle(batch)
            kinds.extend(batch)
        seen = set()
        for i, kind in zip(bad, kinds):
            rec = pairs[i][0]
            self.break_record(rec, kind, kind not in seen)
            seen.add(kind)
            if self.rng.random() < 0.25:
                other = self.rng.choice([k for k in self.BREAKS
                                         if k not in (kind, "misspelt")])
                self.break_record(rec, other, other not in seen)
                seen.add(other)
        return pairs


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

BOOL_STYLES = {"en": ("true", "false"), "vi": ("có", "không"), "num": ("1", "0")}


def csv_cell(value, style):
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = BOOL_STYLES[style]
        return yes if value else no
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def write_jsonl(pairs, out):
    for rec, _ in pairs:
        out.write(json.dumps(rec, ensure_ascii=False))
        out.write("\n")


def write_csv(pairs, out):
    header = list(FIELD_ORDER)
    for rec, _ in pairs:
        for k in rec:
            if k not in header:
                header.append(k)
    writer = csv.writer(out)  # RFC 4180: minimal quoting, CRLF line ends
    writer.writerow(header)
    for rec, style in pairs:
        writer.writerow([csv_cell(rec.get(k), style) for k in header])


def main(argv=None):
    parser = argparse.ArgumentParser(description="Generate example enterprise records.")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--format", choices=["jsonl", "csv"], required=True)
    parser.add_argument("--bad-fraction", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.count < 0:
        parser.error("--count must be >= 0")
    if not 0.0 <= args.bad_fraction <= 1.0:
        parser.error("--bad-fraction must be between 0 and 1")

    pairs = Generator(args.seed, args.year).generate(args.count, args.bad_fraction)
    sys.stdout.reconfigure(encoding="utf-8", newline="")
    if args.format == "jsonl":
        write_jsonl(pairs, sys.stdout)
    else:
        write_csv(pairs, sys.stdout)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
