"""Source assets of the P2 reference files (SPEC section 1; contract in ``contract_p2.py``).

Unpartitioned, no upstream: the runner materializes them with the other reference tables. As in
:mod:`eq_assets.sources.assets`, nothing is dropped here (rows in = rows out) and each table is
keyed so that a duplicated city-year (etc.) fails the blocking ``unique_key`` check.
``city_panel`` is the shared prefecture-city panel (contract.py); P2 is its first user.
"""


from eq_assets.sources import contract as C
from eq_assets.sources import contract_p2 as C2
from eq_assets.sources import schemas_p2 as S
from eq_assets.sources.assets import reference_asset

#: asset name -> (source, pandera model, unique key)
P2_REFERENCE: dict[str, tuple] = {
    "city_panel": (C.CITY_PANEL, S.CityPanel, ("city_code", "year")),
    "egov_scores": (C2.EGOV_SCORES, S.EgovScores, ("city_code", "year")),
    "city_attributes": (C2.CITY_ATTRIBUTES, S.CityAttributes, ("city_code",)),
    "province_panel": (C2.PROVINCE_PANEL, S.ProvincePanel, ("province_code", "year")),
    "work_report": (C2.WORK_REPORT, S.WorkReport, ("city_code", "year")),
    "industry_attributes": (C2.INDUSTRY_ATTRIBUTES, S.IndustryAttributes, ("cic",)),
    "input_tariffs": (C2.INPUT_TARIFFS, S.InputTariffs, ("cic", "year")),
    "egov_policy": (C2.EGOV_POLICY, S.EgovPolicy, ("city_code", "year")),
    "city_innovation": (C2.CITY_INNOVATION, S.CityInnovation, ("city_code", "year")),
}

ASSETS = [reference_asset(n, *v) for n, v in P2_REFERENCE.items()]
