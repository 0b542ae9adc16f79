"""Normalizing Chinese firm names so that customs, survey and patent spellings meet.

The same firm is written differently across sources: spaces, full-width vs half-width
characters (（北京） vs (北京)), punctuation, and the legal-form suffix (有限公司, 有限责任公司,
股份有限公司 ...). Normalization: Unicode NFKC (full-width -> half-width), drop whitespace and
punctuation and brackets (their content is kept), drop the legal-form suffix. This follows the
name-matching step of Yu (2015) and Upward, Wang & Zheng (2013) for linking customs and ASIF.
Written here because no maintained library normalizes Chinese firm names.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

#: Legal-form suffixes removed at the end of a name, longest first.
LEGAL_SUFFIXES: tuple[str, ...] = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "总公司",
    "公司",
    "总厂",
    "厂",
)

_DROP = re.compile(r"[\s\-_.,，。、·•/\\()\[\]{}（）【】「」《》<>\"'“”‘’:：;；&＆]+")
_SUFFIX = re.compile("(" + "|".join(LEGAL_SUFFIXES) + ")$")


def normalize_name(name: str | None) -> str | None:
    """Normalize one firm name; ``None`` stays ``None``, a name that empties becomes ``None``."""
    if name is None or (isinstance(name, float) and name != name):
        return None
    s = unicodedata.normalize("NFKC", str(name))
    s = _DROP.sub("", s)
    s = _SUFFIX.sub("", s)
    return s or None


def normalize_names(names: pd.Series) -> pd.Series:
    """Vectorized :func:`normalize_name` (computed once per distinct name)."""
    uniq = pd.unique(names.dropna())
    mapping = {n: normalize_name(n) for n in uniq}
    return names.map(mapping)
