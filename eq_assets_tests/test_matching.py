"""The customs-survey match on names with known variants (SPEC section 2)."""

from __future__ import annotations

import pandas as pd

from eq_assets.matching.match import match_customs_to_survey
from eq_assets.matching.names import normalize_name


def test_normalize_name_variants_meet():
    base = normalize_name("苏州华信电子有限公司")
    for variant in [
        "苏州 华信 电子有限公司",  # spacing
        "苏州华信电子有限责任公司",  # suffix
        "苏州华信电子公司",
        "苏州华信电子有限公司 ",
        "苏州华信电子（有限公司）",  # full-width brackets
    ]:
        assert normalize_name(variant) == base, variant
    assert normalize_name("华信（北京）电子有限公司") == normalize_name("华信(北京)电子有限公司")
    assert normalize_name("苏州华信电子有限公司") != normalize_name("苏州华新电子有限公司")
    assert normalize_name(None) is None and normalize_name("有限公司") is None


def test_match_by_name_then_phone_zip_with_ambiguity_and_misses():
    survey = pd.DataFrame(
        {
            "year": [2009] * 5,
            "legal_code": ["L1", "L2", "L3", "L4", "L5"],
            "firm_name": ["甲电子有限公司", "乙机械有限公司", "丙纺织有限公司", "丁化工有限公司", "丁化工有限责任公司"],
            "phone": ["111", "222", "333", "444", "555"],
            "zip": ["100000", "200000", "300000", "400000", "400000"],
        }
    )
    customs = pd.DataFrame(
        {
            "year": [2009] * 6,
            "customs_firm_code": ["C1", "C2", "C3", "C4", "C5", "C6"],
            "firm_name": [
                "甲 电子有限责任公司",  # name variant -> L1
                "乙机械厂(集团)",  # unfixable name, phone+zip -> L2
                "丙纺织有限公司",  # exact -> L3
                "丁化工有限公司",  # ambiguous name (L4, L5), phone 999 -> no fallback
                "戊服装有限公司",  # not in survey
                "己玩具有限公司",  # not in survey, phone+zip of L3 -> phone_zip match L3
            ],
            "phone": ["111", "222", "333", "999", "777", "333"],
            "zip": ["100000", "200000", "300000", "400000", "700000", "300000"],
        }
    )
    # the normalized-name and phone+zip rules alone
    matched, acc, extra = match_customs_to_survey(customs, survey, rules=("name", "phone_zip"))
    got = matched.set_index("customs_firm_code")[["legal_code", "match_method"]].to_dict("index")
    assert got == {
        "C1": {"legal_code": "L1", "match_method": "name"},
        "C2": {"legal_code": "L2", "match_method": "phone_zip"},
        "C3": {"legal_code": "L3", "match_method": "name"},
        "C6": {"legal_code": "L3", "match_method": "phone_zip"},
    }
    assert acc.dropped == {"ambiguous_name_no_fallback": 1, "no_survey_match": 1}
    assert acc.finish(len(matched)).balanced
    assert extra["customs_firms_with_ambiguous_name"] == 1
    # the default adds Yu's (2015) first rule: the name exactly as written resolves C4 (and C3)
    matched, acc, extra = match_customs_to_survey(customs, survey)
    got = matched.set_index("customs_firm_code")["match_method"].to_dict()
    assert got == {"C1": "name", "C2": "phone_zip", "C3": "exact_name", "C4": "exact_name", "C6": "phone_zip"}
    assert matched.set_index("customs_firm_code").loc["C4", "legal_code"] == "L4"
    assert acc.dropped == {"ambiguous_name_no_fallback": 0, "no_survey_match": 1} and acc.finish(len(matched)).balanced
