"""Digital assets: firm-linked digital patents and the firm-year Eco index, per year."""


import dagster as dg

from eq_assets.core.accounting import RowAccount
from eq_assets.core.partitions import partition_year
from eq_assets.core.publish import publish, table_asset
from eq_assets.core.sql import bind, count
from eq_assets.core.warehouse import Table, duckdb_connect
from eq_assets.digital.patents import classify_digital_sql, eco_index_sql, ipc_code_counts_sql, link_patents_sql
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
def firm_patents(context: dg.AssetExecutionContext, raw_patents: Table, digital_ipc_table: Table, firm_survey: Table):
    """Patents of survey firms filed this year, flagged digital through the 2023 IPC table."""
    year = partition_year(context)
    with duckdb_connect() as con:
        bind(con, raw=raw_patents, ipc_table=digital_ipc_table, s=firm_survey)
        con.execute("create temp view p as select * exclude (year) from raw")
        con.execute(f"create temp table cp as {classify_digital_sql(con)}")
        sql, acc = link_patents_sql(con, year)
        md = {"patents_filed": count(con, "cp"), "digital_patents_filed": count(con, "(select 1 from cp where is_digital)"),
              **{f"ipc_codes_{rule}": int(n) for rule, n in con.execute(ipc_code_counts_sql("p")).fetchall()}}
        yield from publish(sql, model=FirmPatents, key=("application_no", "legal_code"), account=acc,
                           asset_name="firm_patents", metadata=md, con=con)


@table_asset(
    "eco",
    Eco,
    group=GROUP,
    ins={"firm_survey": dg.AssetIn(metadata={"columns": ["year", "legal_code"]})},
)
def eco(firm_survey: Table, firm_patents: Table):
    """Eco = ln(1 + digital patents) for every survey firm-year (P1 section III.2.2)."""
    with duckdb_connect() as con:
        bind(con, fy=firm_survey, fp=firm_patents)
        con.execute(f"create temp table _eco as {eco_index_sql(con)}")
        acc = RowAccount(rows_in=firm_survey.count(con), unit="firm-years")
        n, with_digital, mean = con.execute("select count(*), count(*) filter (where n_digital > 0), avg(\"Eco\") from _eco").fetchone()
        md = {"firm_years_with_digital_patents": int(with_digital), "mean_Eco": float(mean) if n else 0.0}
        yield from publish("select * from _eco", model=Eco, key=("year", "legal_code"), account=acc, asset_name="eco",
                           metadata=md, con=con)


ASSETS = [firm_patents, eco]
