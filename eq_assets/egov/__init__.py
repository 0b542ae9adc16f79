"""P2's city e-government performance index (Ma, Wang & Gong, eq. 14)."""

from eq_assets.egov.index import EGOV_SUBINDICES, EGOV_TABLE3, egov_index

__all__ = ["EGOV_SUBINDICES", "EGOV_TABLE3", "egov_index"]
