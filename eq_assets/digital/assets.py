"""Digital assets: firm-linked digital patents and the firm-year Eco index, per year."""


import dagster as dg
import pandas as pd

from eq_assets.core.accounting import RowAccount
from eq_assets.core.partitions import partition_year
from eq_assets.core.publish import publish, table_asset
from eq_assets.digital.patents import classify_digital, eco_index, link_patents_to_firms
from eq_assets.digital.schemas import Eco, FirmPatents

GROUP = "digital"
#: the patent fields the digital classification and linking use (not the raw file's provenance)
PATENT_COLUMNS = ("application_no", "applicant", "app_year", "patent_type", "ipc_main", "ipc_all", "citations", "year")


@table_asset(
    "firm_patents",
    FirmPatents,
    group=GROUP,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code", "firm_name"]}),
         "raw_patents": dg.AssetIn(metadata={"columns": list(PATENT_COLUMNS)})},
)
def firm_patents(context: dg.AssetExecutionContext, raw_patents: pd.DataFrame, digital_ipc_table: pd.DataFrame, firm_survey: pd.DataFrame):
    """Patents of survey firms filed this year, flagged digital through the 2023 IPC table."""
    year = partition_year(context)
    classified = classify_digital(raw_patents.drop(columns="year"), digital_ipc_table)
    linked, acc = link_patents_to_firms(classified, firm_survey, year)
    md = {"patents_filed": len(raw_patents), "digital_patents_filed": int(classified["is_digital"].sum())}
    yield from publish(linked, model=FirmPatents, key=("application_no", "legal_code"), account=acc, asset_name="firm_patents", metadata=md)


@table_asset(
    "eco",
    Eco,
    group=GROUP,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code"]})},
)
def eco(firm_survey: pd.DataFrame, firm_patents: pd.DataFrame):
    """Eco = ln(1 + digital patents) for every survey firm-year (P1 section III.2.2)."""
    out = eco_index(firm_survey, firm_patents)
    acc = RowAccount(rows_in=len(firm_survey), unit="firm-years")
    md = {"firm_years_with_digital_patents": int((out["n_digital"] > 0).sum()), "mean_Eco": float(out["Eco"].mean()) if len(out) else 0.0}
    yield from publish(out, model=Eco, key=("year", "legal_code"), account=acc, asset_name="eco", metadata=md)


ASSETS = [firm_patents, eco]
