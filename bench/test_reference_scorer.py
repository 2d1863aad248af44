"""Unit tests of the reference scorer on hand-made records.

Run from the repository root:
    python3 -m unittest bench/test_reference_scorer.py
"""

import datetime
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import reference_scorer as R  # noqa: E402

Y2024 = R.parse_period("2024")


def full_record(**changes):
    """A record that earns every point (100, Tốt, no gate) in 2024."""
    rec = {
        "id": "3900123456",
        "name": "Công ty TNHH May mặc Phước Đông",
        "province": "Tây Ninh",
        "unit": "Liên đoàn Lao động huyện Dương Minh Châu",
        "ownership": "private",
        "has_union": True,
        "employees": 120,
        "regulation_issued": True,
        "regulation_union_consulted": True,
        "regulation_published": True,
        "dialogue_employee_reps": 4,
        "periodic_dialogue_dates": ["2024-06-15", "2024-12-10"],
        "dialogue_minutes_published": True,
        "dialogue_requests": 0,
        "dialogue_requests_answered": 0,
        "workers_conference_date": "2024-03-08",
        "union_coorganised_conference": True,
        "disclosed_business": True,
        "disclosed_rules_pay_norms": True,
        "disclosed_collective_agreement": True,
        "disclosed_funds": True,
        "disclosed_contributions": True,
        "disclosed_rewards_discipline": True,
        "consulted_internal_rules": True,
        "consulted_pay_norms": True,
        "consulted_conditions": True,
        "supervised_contracts": True,
        "supervised_internal_rules": True,
        "supervised_funds": True,
        "supervised_contributions": True,
        "supervised_rewards_discipline": True,
        "collective_agreement_in_force": True,
        "strikes": 0,
        "collective_disputes": 0,
        "democracy_fines": 0,
    }
    rec.update(changes)
    return rec


def score(rec, period=Y2024):
    return R.score_record(rec, *period)


class FullMarks(unittest.TestCase):
    def test_full_record(self):
        r = score(full_record())
        self.assertEqual(r["status"], "scored")
        self.assertEqual(r["total"], 100)
        self.assertEqual(r["class"], "tot")
        self.assertEqual(r["class_label"], "Tốt")
        self.assertEqual(r["gates"], [])
        self.assertEqual(r["errors"], [])
        self.assertEqual(r["groups"], {"1": 15, "2": 25, "3": 20, "4": 15, "5": 15, "6": 10})
        self.assertEqual(list(r["criteria"]), [
            "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2",
            "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "5.1", "5.2", "5.3",
            "6.1", "6.2", "6.3"])
        self.assertEqual(r["criteria"]["4.1"], 2.5)
        self.assertIsInstance(r["criteria"]["1.1"], int)

    def test_agreement_not_in_force_gives_full_4_3(self):
        r = score(full_record(collective_agreement_in_force=False,
                              disclosed_collective_agreement=False))
        self.assertEqual(r["criteria"]["4.3"], 2.5)
        self.assertEqual(r["criteria"]["5.3"], 0)
        self.assertEqual(r["total"], 96)

    def test_regulation_parts_need_issued(self):
        r = score(full_record(regulation_issued=False))
        self.assertEqual(r["criteria"]["1.1"], 0)
        self.assertEqual(r["criteria"]["1.2"], 0)
        self.assertEqual(r["criteria"]["1.3"], 0)


class Dates(unittest.TestCase):
    def test_jan_1_and_dec_31_are_in(self):
        for d in ("2024-01-01", "2024-12-31"):
            r = score(full_record(periodic_dialogue_dates=[d], workers_conference_date=d))
            self.assertEqual(r["criteria"]["2.1"], 10, d)
            self.assertEqual(r["criteria"]["2.3"], 5, d)
            self.assertEqual(r["criteria"]["3.1"], 15, d)
            self.assertEqual(r["gates"], [], d)

    def test_dec_31_of_previous_year_is_out(self):
        r = score(full_record(periodic_dialogue_dates=["2023-12-31"]))
        self.assertEqual(r["criteria"]["2.1"], 0)
        self.assertEqual(r["criteria"]["2.3"], 0)
        self.assertIn("G1", r["gates"])
        r = score(full_record(workers_conference_date="2023-12-31"))
        self.assertEqual(r["criteria"]["3.1"], 0)
        self.assertEqual(r["criteria"]["3.2"], 0)
        self.assertIn("G1", r["gates"])

    def test_jan_1_of_next_year_is_out(self):
        r = score(full_record(periodic_dialogue_dates=["2025-01-01"]))
        self.assertEqual(r["criteria"]["2.1"], 0)

    def test_one_date_in_among_others_out_and_duplicates(self):
        r = score(full_record(periodic_dialogue_dates=["2023-12-31", "2024-05-05", "2024-05-05"]))
        self.assertEqual(r["criteria"]["2.1"], 10)
        self.assertEqual(r["groups"]["2"], 25)

    def test_no_dialogue_dates(self):
        r = score(full_record(periodic_dialogue_dates=[]))
        self.assertEqual(r["criteria"]["2.1"], 0)
        self.assertEqual(r["criteria"]["2.3"], 0)

    def test_null_conference_is_no_conference(self):
        r = score(full_record(workers_conference_date=None))
        self.assertEqual(r["status"], "scored")
        self.assertEqual(r["criteria"]["3.1"], 0)
        self.assertEqual(r["criteria"]["3.2"], 0)

    def test_date_range_period(self):
        period = R.parse_period("2024-01-01..2024-06-30")
        r = score(full_record(periodic_dialogue_dates=["2024-07-01"],
                              workers_conference_date="2024-06-30"), period)
        self.assertEqual(r["criteria"]["2.1"], 0)
        self.assertEqual(r["criteria"]["3.1"], 15)

    def test_parse_period(self):
        self.assertEqual(R.parse_period("2024"),
                         (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)))
        self.assertEqual(R.parse_period("2024-02-01..2024-02-29"),
                         (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29)))
        for bad in ("24", "2024-12-31..2024-01-01", "2024-01-01", "2024-01-01..2024-13-01",
                    "2024-1-1..2024-12-31"):
            with self.assertRaises(ValueError, msg=bad):
                R.parse_period(bad)


class Art38(unittest.TestCase):
    CASES = [  # employees, minimum reps
        (0, 3), (49, 3), (50, 4), (149, 4), (150, 9), (299, 9), (300, 14),
        (499, 14), (500, 19), (999, 19), (1000, 24), (6000, 24)]

    def test_brackets(self):
        for employees, minimum in self.CASES:
            at = score(full_record(employees=employees, dialogue_employee_reps=minimum))
            below = score(full_record(employees=employees, dialogue_employee_reps=minimum - 1))
            self.assertEqual(at["criteria"]["2.2"], 5, (employees, minimum))
            self.assertEqual(below["criteria"]["2.2"], 0, (employees, minimum))

    def test_boundary_pairs(self):
        # one rep count that passes just below a boundary and fails on it
        for low, high in ((49, 50), (149, 150), (299, 300), (499, 500), (999, 1000)):
            reps = R.art38_minimum(low)
            self.assertEqual(score(full_record(employees=low, dialogue_employee_reps=reps))
                             ["criteria"]["2.2"], 5)
            self.assertEqual(score(full_record(employees=high, dialogue_employee_reps=reps))
                             ["criteria"]["2.2"], 0)


class Requests(unittest.TestCase):
    def points(self, answered, requests):
        r = score(full_record(dialogue_requests=requests, dialogue_requests_answered=answered))
        return r["criteria"]["2.4"]

    def test_rounding_half_away_from_zero(self):
        self.assertEqual(self.points(1, 8), 0.63)   # 0.625
        self.assertEqual(self.points(3, 8), 1.88)   # 1.875
        self.assertEqual(self.points(1, 3), 1.67)   # 1.666...
        self.assertEqual(self.points(2, 3), 3.33)   # 3.333...
        self.assertEqual(self.points(1, 6), 0.83)
        self.assertEqual(self.points(1, 2), 2.5)

    def test_none_requested_and_none_answered(self):
        self.assertEqual(self.points(0, 0), 5)
        self.assertEqual(self.points(0, 4), 0)
        self.assertEqual(self.points(4, 4), 5)

    def test_total_with_fraction(self):
        r = score(full_record(dialogue_requests=8, dialogue_requests_answered=1))
        self.assertEqual(r["total"], 95.63)
        self.assertEqual(r["groups"]["2"], 20.63)
        self.assertEqual(json.dumps(r["criteria"]["2.4"]), "0.63")

    def test_hundredths_to_json(self):
        self.assertEqual(json.dumps(R.hundredths_to_json(63)), "0.63")
        self.assertEqual(json.dumps(R.hundredths_to_json(800)), "8")
        self.assertEqual(json.dumps(R.hundredths_to_json(1250)), "12.5")
        self.assertEqual(json.dumps(R.hundredths_to_json(7917)), "79.17")
        self.assertEqual(json.dumps(R.hundredths_to_json(0)), "0")


class Classification(unittest.TestCase):
    def record_80(self, **changes):
        # groups: 15, 22.5, 20, 7.5 (exactly 50%), 8, 7 -> 80, no gate
        base = dict(
            dialogue_requests=2, dialogue_requests_answered=1,          # 2.4 = 2.5
            disclosed_business=False, disclosed_funds=False,
            disclosed_collective_agreement=False,                       # group 4 = 7.5
            consulted_internal_rules=False, consulted_pay_norms=False,
            consulted_conditions=False, supervised_funds=False,         # group 5 = 8
            collective_disputes=1,                                      # group 6 = 7
        )
        base.update(changes)
        return full_record(**base)

    def test_exactly_80_is_tot(self):
        r = score(self.record_80())
        self.assertEqual(r["total"], 80)
        self.assertEqual(r["groups"], {"1": 15, "2": 22.5, "3": 20, "4": 7.5, "5": 8, "6": 7})
        self.assertEqual(r["gates"], [])  # 7.5 of 15 is not below 50%
        self.assertEqual(r["class"], "tot")
        self.assertEqual(r["class_label"], "Tốt")

    def test_just_below_80_is_kha(self):
        r = score(self.record_80(dialogue_requests=3, dialogue_requests_answered=1))
        self.assertEqual(r["total"], 79.17)
        self.assertEqual(r["class"], "kha")
        self.assertEqual(r["class_label"], "Khá")

    def test_bands(self):
        self.assertEqual(R.band_for(8000), "tot")
        self.assertEqual(R.band_for(7999), "kha")
        self.assertEqual(R.band_for(6500), "kha")
        self.assertEqual(R.band_for(6499), "trung_binh")
        self.assertEqual(R.band_for(5000), "trung_binh")
        self.assertEqual(R.band_for(4999), "yeu")

    def test_g1_no_conference(self):
        # G1 never fires alone in this pack: the group that lost its event
        # always falls below half, so G3 fires with it.
        r = score(full_record(workers_conference_date=None))
        self.assertEqual(r["total"], 80)
        self.assertEqual(r["gates"], ["G1", "G3"])
        self.assertEqual(r["class"], "trung_binh")
        self.assertEqual(r["class_label"], "Trung bình")

    def test_g1_no_regulation_and_no_dialogue(self):
        r = score(full_record(regulation_issued=False))
        self.assertEqual(r["total"], 85)
        self.assertEqual(r["gates"], ["G1", "G3"])
        self.assertEqual(r["class"], "trung_binh")
        r = score(full_record(periodic_dialogue_dates=["2023-06-01"]))
        self.assertEqual(r["total"], 85)
        self.assertEqual(r["gates"], ["G1", "G3"])
        self.assertEqual(r["class"], "trung_binh")

    def test_g2_alone_strike(self):
        r = score(full_record(strikes=1))
        self.assertEqual(r["total"], 95)
        self.assertEqual(r["groups"]["6"], 5)
        self.assertEqual(r["gates"], ["G2"])
        self.assertEqual(r["class"], "trung_binh")

    def test_g2_alone_fine(self):
        r = score(full_record(democracy_fines=2))
        self.assertEqual(r["total"], 98)
        self.assertEqual(r["gates"], ["G2"])
        self.assertEqual(r["class"], "trung_binh")

    def test_disputes_alone_fire_no_gate(self):
        r = score(full_record(collective_disputes=3))
        self.assertEqual(r["gates"], [])
        self.assertEqual(r["class"], "tot")

    def test_g3_alone(self):
        r = score(full_record(consulted_internal_rules=False, consulted_pay_norms=False,
                              consulted_conditions=False, supervised_funds=False,
                              supervised_contracts=False))
        self.assertEqual(r["groups"]["5"], 7)
        self.assertEqual(r["total"], 92)
        self.assertEqual(r["gates"], ["G3"])
        self.assertEqual(r["class"], "kha")

    def test_gate_fires_without_lowering(self):
        # band already yeu: gates are listed, class stays yeu
        rec = full_record(regulation_issued=False, periodic_dialogue_dates=[],
                          workers_conference_date=None, strikes=1, democracy_fines=1)
        r = score(rec)
        self.assertEqual(r["total"], 43)
        self.assertEqual(r["gates"], ["G1", "G2", "G3"])
        self.assertEqual(r["class"], "yeu")

    def test_kha_band_with_g3_stays_kha(self):
        r = score(full_record(consulted_internal_rules=False, consulted_pay_norms=False,
                              consulted_conditions=False, supervised_funds=False,
                              supervised_contracts=False, collective_agreement_in_force=False,
                              disclosed_business=False, disclosed_funds=False,
                              disclosed_rules_pay_norms=False, disclosed_rewards_discipline=False))
        self.assertEqual(r["total"], 78)
        self.assertEqual(r["groups"]["4"], 5)
        self.assertEqual(r["gates"], ["G3"])
        self.assertEqual(r["class"], "kha")


class NotApplicable(unittest.TestCase):
    def assertNotApplicable(self, r):
        self.assertEqual(r["status"], "not_applicable")
        self.assertIsNone(r["total"])
        self.assertIsNone(r["class"])
        self.assertIsNone(r["class_label"])
        self.assertEqual(r["groups"], {})
        self.assertEqual(r["criteria"], {})
        self.assertEqual(r["gates"], [])
        self.assertEqual(r["errors"], [])

    def test_state(self):
        r = score(full_record(ownership="state"))
        self.assertNotApplicable(r)
        self.assertEqual(r["id"], "3900123456")

    def test_no_union(self):
        self.assertNotApplicable(score(full_record(has_union=False)))

    def test_blank_state_sheet_is_not_an_error(self):
        self.assertNotApplicable(score({"id": "3900999999", "ownership": "state"}))

    def test_no_union_with_broken_fields_is_not_an_error(self):
        self.assertNotApplicable(score({"id": "x", "ownership": "fdi", "has_union": False,
                                        "employees": "nhiều", "strikes": -1}))

    def test_state_decides_even_when_has_union_is_broken(self):
        self.assertNotApplicable(score({"id": "x", "ownership": "state", "has_union": "có"}))


class BadInput(unittest.TestCase):
    def assertErrorFields(self, rec, fields):
        r = score(rec)
        self.assertEqual(r["status"], "error")
        self.assertIsNone(r["total"])
        self.assertIsNone(r["class"])
        self.assertEqual(r["groups"], {})
        self.assertEqual(r["criteria"], {})
        self.assertEqual(r["gates"], [])
        self.assertEqual([e["field"] for e in r["errors"]], fields)
        for e in r["errors"]:
            self.assertTrue(e["message"])
        return r

    def test_missing_field(self):
        rec = full_record()
        del rec["strikes"]
        self.assertErrorFields(rec, ["strikes"])

    def test_missing_optional_fields_are_fine(self):
        rec = full_record(name=None)
        del rec["province"], rec["unit"]
        self.assertEqual(score(rec)["status"], "scored")

    def test_wrong_types(self):
        self.assertErrorFields(full_record(employees="nhiều"), ["employees"])
        self.assertErrorFields(full_record(employees=True), ["employees"])
        self.assertErrorFields(full_record(employees=120.5), ["employees"])
        self.assertErrorFields(full_record(employees=120.0), ["employees"])
        self.assertErrorFields(full_record(regulation_issued="có"), ["regulation_issued"])
        self.assertErrorFields(full_record(regulation_issued=1), ["regulation_issued"])
        self.assertErrorFields(full_record(periodic_dialogue_dates="2024-06-15"),
                               ["periodic_dialogue_dates"])
        self.assertErrorFields(full_record(id=3900123456), ["id"])
        self.assertErrorFields(full_record(name=12), ["name"])
        self.assertErrorFields(full_record(ownership="tư nhân"), ["ownership"])
        self.assertErrorFields(full_record(strikes=None), ["strikes"])

    def test_negative_count(self):
        self.assertErrorFields(full_record(collective_disputes=-1), ["collective_disputes"])

    def test_unparseable_dates(self):
        self.assertErrorFields(full_record(workers_conference_date="2024-13-45"),
                               ["workers_conference_date"])
        self.assertErrorFields(full_record(workers_conference_date="08/03/2024"),
                               ["workers_conference_date"])
        for bad in ("2023-02-29", "2024-6-5", "20240308", "2024-03-08\n", "2024-03-08T00:00",
                    " 2024-03-08", "٢٠٢٤-03-08", ""):
            self.assertErrorFields(full_record(workers_conference_date=bad),
                                   ["workers_conference_date"])
        r = self.assertErrorFields(
            full_record(periodic_dialogue_dates=["2024-06-15", "2024-13-45", 20240101]),
            ["periodic_dialogue_dates", "periodic_dialogue_dates"])
        self.assertIn("2024-13-45", r["errors"][0]["message"])

    def test_answered_greater_than_requests(self):
        self.assertErrorFields(full_record(dialogue_requests=2, dialogue_requests_answered=3),
                               ["dialogue_requests_answered"])

    def test_misspelt_conference_field(self):
        rec = full_record()
        rec["workers_conferance_date"] = rec.pop("workers_conference_date")
        self.assertErrorFields(rec, ["workers_conference_date"])

    def test_unknown_fields_are_ignored(self):
        self.assertEqual(score(full_record(ghi_chu="đạt", extra={"a": 1}))["status"], "scored")

    def test_every_problem_collected(self):
        rec = full_record(employees="nhiều", strikes=-2, workers_conference_date="2024-13-45",
                          dialogue_requests=1, dialogue_requests_answered=5)
        del rec["disclosed_funds"]
        r = self.assertErrorFields(rec, ["employees", "dialogue_requests_answered",
                                         "workers_conference_date", "disclosed_funds",
                                         "strikes"])
        self.assertEqual(r["id"], "3900123456")

    def test_undecidable_applicability_is_validated(self):
        r = score({"id": "x"})
        self.assertEqual(r["status"], "error")
        self.assertIn("ownership", [e["field"] for e in r["errors"]])
        self.assertIn("has_union", [e["field"] for e in r["errors"]])
        self.assertEqual(len(r["errors"]), len(R.FIELDS) - 4)  # all but id/name/province/unit

    def test_not_an_object(self):
        r = R.score_line("[1, 2]", *Y2024)
        self.assertEqual(r["status"], "error")
        self.assertIsNone(r["id"])

    def test_invalid_json_lines(self):
        for line in ('{"id": "x",', "NaN", '{"id": "x", "employees": NaN}', "ừ"):
            r = R.score_line(line, *Y2024)
            self.assertEqual(r["status"], "error", line)
            self.assertIsNone(r["id"])
            self.assertEqual(len(r["errors"]), 1)


class CommandLine(unittest.TestCase):
    def test_one_line_per_record_in_order(self):
        lines = [
            json.dumps(full_record(id="a"), ensure_ascii=False),
            "not json",
            "",
            json.dumps({"id": "b", "ownership": "state"}),
            json.dumps(full_record(id="c", workers_conference_date=None), ensure_ascii=False),
        ]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        out = subprocess.run(
            [sys.executable, os.path.join(HERE, "reference_scorer.py"), "--period", "2024"],
            input=data, capture_output=True, check=True).stdout.decode("utf-8")
        results = [json.loads(x) for x in out.splitlines()]
        self.assertEqual([r["status"] for r in results],
                         ["scored", "error", "not_applicable", "scored"])
        self.assertEqual([r["id"] for r in results], ["a", None, "b", "c"])
        self.assertIn('"class_label": "Trung bình"', out)  # ensure_ascii=False
        self.assertEqual(list(results[0]), ["id", "name", "province", "unit", "period",
                                            "status", "total", "class", "class_label",
                                            "groups", "criteria", "gates", "errors"])
        self.assertEqual([r["period"] for r in results], ["2024"] * 4)
        self.assertEqual([r["unit"] for r in results],
                         ["Liên đoàn Lao động huyện Dương Minh Châu", None, None,
                          "Liên đoàn Lao động huyện Dương Minh Châu"])

    def test_a_key_given_twice_makes_the_record_an_error(self):
        line = json.dumps(full_record(id="d"))[:-1] + ', "strikes": 3}'
        r = R.score_line(line, *Y2024)
        self.assertEqual((r["id"], r["status"]), ("d", "error"))
        self.assertIn("strikes", r["errors"][0]["message"])
        self.assertEqual(R.score_line(json.dumps(full_record(id="d")), *Y2024)["status"], "scored")

    def test_a_period_that_is_not_a_year_is_written_as_a_range(self):
        self.assertEqual(R.period_label(*R.parse_period("2024-01-01..2024-12-31")), "2024")
        self.assertEqual(R.period_label(*R.parse_period("2024-07-01..2024-12-31")),
                         "2024-07-01..2024-12-31")

    def test_bad_period_exits_non_zero(self):
        p = subprocess.run(
            [sys.executable, os.path.join(HERE, "reference_scorer.py"), "--period", "2024-12"],
            input=b"", capture_output=True)
        self.assertNotEqual(p.returncode, 0)


if __name__ == "__main__":
    unittest.main()
