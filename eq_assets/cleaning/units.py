"""Quantity units: one unit per product where a conversion exists, the rest kept apart and counted.

Customs records state the unit of each quantity (计量单位), by name (千克, 吨, 个 ...) or by the
customs unit code (035 千克, 070 吨, 007 个, 127 打 ...: the code list of the customs declaration
standard, as reproduced in public declaration software, e.g. ryanrong95/HXT
``DeclarationBase.cs``). A product's quantities can only be summed in one unit (issue 9: "kg and
tonnes summed: accepted" was a silent error). Rule, per product (``product``: an HS6 or HS8
expression):

1. each unit is put in a *family* with a base unit and a factor (:data:`CONVERSIONS`: mass in
   千克, pieces in 个 incl. 打 = 12, pairs in 双, sets in 套, sticks in 支, volume in 升, length
   in 米); a unit with no known conversion (台, 件, 条 ...) is a family of its own;
2. the product's *dominant family* is the one with the most rows (ties: the smaller name);
3. rows of the dominant family get ``quantity_std = quantity * factor`` in the base unit
   (rule ``base`` if already in it, ``converted`` otherwise); rows of another family keep their
   unit and quantity (``kept_apart``: not summed with the others); rows without a unit are
   ``missing_unit``.

Counts by rule come from :func:`unit_counts_sql`. The SQL form (:func:`normalise_units_sql`)
is what the cleaning uses; written here because no library knows the customs unit list.
"""

from __future__ import annotations

#: unit name -> (family, base unit, factor to the base unit). Exact factors: 1 lb = 0.45359237
#: kg, 1 oz (avoirdupois) = 28.349523125 g, 1 carat = 0.2 g, 1 斤 = 0.5 kg, 1 担 (公担) = 100 kg,
#: long ton 1016.0469088 kg, short ton 907.18474 kg, 1 ft = 0.3048 m, 1 yd = 0.9144 m, 1 in = 0.0254 m.
CONVERSIONS: dict[str, tuple[str, str, float]] = {
    "千克": ("mass", "千克", 1.0), "公斤": ("mass", "千克", 1.0), "kg": ("mass", "千克", 1.0),
    "克": ("mass", "千克", 0.001), "g": ("mass", "千克", 0.001),
    "吨": ("mass", "千克", 1000.0), "t": ("mass", "千克", 1000.0), "tonne": ("mass", "千克", 1000.0),
    "公担": ("mass", "千克", 100.0), "斤": ("mass", "千克", 0.5), "磅": ("mass", "千克", 0.45359237),
    "盎司": ("mass", "千克", 0.028349523125), "克拉": ("mass", "千克", 0.0002),
    "长吨": ("mass", "千克", 1016.0469088), "短吨": ("mass", "千克", 907.18474),
    "个": ("pieces", "个", 1.0), "pcs": ("pieces", "个", 1.0), "打": ("pieces", "个", 12.0),
    "dozen": ("pieces", "个", 12.0), "百个": ("pieces", "个", 100.0), "千个": ("pieces", "个", 1000.0),
    "万个": ("pieces", "个", 10000.0), "亿个": ("pieces", "个", 1e8),
    "双": ("pairs", "双", 1.0), "万双": ("pairs", "双", 10000.0),
    "套": ("sets", "套", 1.0), "万套": ("sets", "套", 10000.0),
    "支": ("sticks", "支", 1.0), "百支": ("sticks", "支", 100.0), "千支": ("sticks", "支", 1000.0), "亿支": ("sticks", "支", 1e8),
    "升": ("volume", "升", 1.0), "毫升": ("volume", "升", 0.001), "千升": ("volume", "升", 1000.0),
    "立方米": ("volume", "升", 1000.0),
    "米": ("length", "米", 1.0), "千米": ("length", "米", 1000.0), "英尺": ("length", "米", 0.3048),
    "码": ("length", "米", 0.9144), "英寸": ("length", "米", 0.0254),
}

#: customs unit codes -> names (the subset of the code list whose units appear above or in the
#: synthetic world; the other codes are kept as they are, i.e. as their own family).
UNIT_CODES: dict[str, str] = {
    "001": "台", "006": "套", "007": "个", "008": "只", "011": "件", "012": "支", "015": "条", "025": "双",
    "026": "对", "030": "米", "033": "立方米", "035": "千克", "036": "克", "038": "万个", "041": "百支",
    "043": "百个", "047": "公担", "054": "千个", "055": "亿支", "056": "亿个", "057": "万套", "063": "千升",
    "067": "英尺", "070": "吨", "071": "长吨", "072": "短吨", "075": "斤", "076": "磅", "083": "盎司",
    "084": "克拉", "086": "码", "088": "英寸", "095": "升", "096": "毫升", "127": "打", "143": "千支",
    "144": "万双", "147": "千米",
}

RULES = ("base", "converted", "kept_apart", "missing_unit")


def _values(rows: list[tuple], names: str) -> str:
    def lit(v):
        return repr(float(v)) if isinstance(v, float) else "'" + str(v).replace("'", "''") + "'"

    body = ", ".join("(" + ", ".join(lit(v) for v in r) + ")" for r in rows)
    return f"(VALUES {body}) AS {names}"


def units_table_sql() -> str:
    """SQL: the conversion table as a relation ``u(unit, family, base_unit, factor)``."""
    return _values([(k, *v) for k, v in CONVERSIONS.items()], "u(unit, family, base_unit, factor)")


def unit_codes_sql() -> str:
    """SQL: the customs unit codes as a relation ``uc(code, unit)``."""
    return _values(list(UNIT_CODES.items()), "uc(code, unit)")


def unit_families_sql(relation: str, *, product: str = "substr(hs8, 1, 6)", unit: str = "unit") -> str:
    """SQL: every column of ``relation`` plus ``_product``, ``unit_name`` (codes resolved) and the
    unit's ``_family``, ``_base`` unit and ``_factor`` to it (step 1 of the rule)."""
    return f"""
    SELECT r.*, coalesce(u.family, r.unit_name) AS _family, coalesce(u.base_unit, r.unit_name) AS _base,
           coalesce(u.factor, 1.0) AS _factor
    FROM (SELECT s.*, {product} AS _product, coalesce(uc.unit, nullif(trim(s.{unit}), '')) AS unit_name
          FROM {relation} s LEFT JOIN {unit_codes_sql()} ON uc.code = trim(s.{unit})) r
    LEFT JOIN {units_table_sql()} ON u.unit = r.unit_name
    """


def dominant_families_sql(counts: str) -> str:
    """SQL: ``(_product, _dominant)``, each product's dominant family (step 2: most rows, ties: the
    smaller name) from ``counts``, a relation of ``(_product, _family, n)`` (rows per family; a
    family may be listed more than once)."""
    return f"""
    SELECT _product, arg_min(_family, (-n, _family)) AS _dominant
    FROM (SELECT _product, _family, sum(n) AS n FROM {counts} WHERE _family IS NOT NULL GROUP BY ALL)
    GROUP BY _product
    """


def unit_rule_sql(f: str = "f", d: str = "d") -> str:
    """SQL: the ``unit_rule`` (:data:`RULES`) of a row ``f`` of :func:`unit_families_sql` joined to
    its product's dominant family ``d`` (step 3)."""
    return (f"CASE WHEN {f}.unit_name IS NULL THEN 'missing_unit' WHEN {f}._family <> {d}._dominant THEN 'kept_apart' "
            f"WHEN {f}.unit_name = {f}._base THEN 'base' ELSE 'converted' END")


def normalise_units_sql(relation: str, *, product: str = "substr(hs8, 1, 6)", unit: str = "unit",
                        quantity: str = "quantity", dominant: str | None = None) -> str:
    """SQL: every column of ``relation`` plus ``unit_name`` (codes resolved), ``quantity_std``,
    ``unit_std`` and ``unit_rule`` (one of :data:`RULES`), by the rule of the module docstring.
    ``dominant``: the products' dominant families (:func:`dominant_families_sql`), when they have
    been computed beforehand (else from ``relation``'s rows, in the query)."""
    dom = (f"SELECT * FROM {dominant}" if dominant else
           dominant_families_sql("(SELECT _product, _family, count(*) AS n FROM f GROUP BY ALL)"))
    return f"""
    WITH f AS ({unit_families_sql(relation, product=product, unit=unit)}),
    dom AS ({dom})
    SELECT f.* EXCLUDE (_product, _family, _base, _factor),
           CASE WHEN f.unit_name IS NULL OR f._family <> d._dominant THEN f.{quantity}
                ELSE f.{quantity} * f._factor END AS quantity_std,
           CASE WHEN f.unit_name IS NULL OR f._family <> d._dominant THEN f.unit_name ELSE f._base END AS unit_std,
           {unit_rule_sql("f", "d")} AS unit_rule
    FROM f LEFT JOIN dom d USING (_product)
    """


def unit_counts_sql(normalised: str) -> str:
    """SQL: rows by ``unit_rule`` of a relation built by :func:`normalise_units_sql`."""
    return f"SELECT unit_rule AS rule, count(*) AS n FROM ({normalised}) GROUP BY unit_rule ORDER BY unit_rule"
