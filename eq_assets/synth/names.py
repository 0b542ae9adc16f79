"""Firm names, their customs spellings, and identifiers (SPEC section 2: matching defects).

Survey names look like "宁波华茂电器有限公司" (city + trade name + industry word + legal-form
suffix) or, for some firms, "华茂（宁波）电器有限公司" with the city in brackets. Customs and
patent spellings differ by

- spacing ("宁波 华茂电器有限公司"), bracket width ("（宁波）" vs "(宁波)"), legal suffix
  (有限公司 / 有限责任公司 / 股份有限公司): name normalization fixes these;
- hard variants (the city dropped, or "集团" inserted) that normalization cannot fix; such
  firms keep the survey phone and zip so the phone + zip fallback can link them.

Identifiers: 9-character organization (legal-person) codes with the GB 11714 check character,
10-digit customs codes (city code + ownership digit + serial), unique phone numbers
("0574-87654321") and 6-digit zip codes. ``normalize`` mirrors the usual normalization only to
guarantee that distinct firms never normalize to the same name.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from eq_assets.synth.catalog import NAME_CHARS

_DROP = re.compile(r"[\s()（）\[\]【】]+")
_SUFFIX = re.compile("(股份有限公司|有限责任公司|有限公司|集团公司|总公司|公司|总厂|厂)$")
SUFFIX_SWAP = {"有限公司": "有限责任公司", "有限责任公司": "有限公司", "股份有限公司": "有限公司", "厂": "有限公司"}


def normalize(name: str) -> str:
    """NFKC, no spaces/brackets, no legal-form suffix (used to keep firms distinguishable)."""
    s = _DROP.sub("", unicodedata.normalize("NFKC", name))
    return _SUFFIX.sub("", s)


def trade_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` two-character trade names (字号), drawn with replacement."""
    chars = np.array(list(NAME_CHARS))
    a = rng.integers(0, len(chars), n)
    b = (a + rng.integers(1, len(chars), n)) % len(chars)  # two different characters
    return np.char.add(chars[a], chars[b]).astype(object)


def compose(city: str, trade: str, word: str, suffix: str, bracket: bool) -> str:
    """The survey name: "宁波华茂电器有限公司" or "华茂（宁波）电器有限公司"."""
    return f"{trade}（{city}）{word}{suffix}" if bracket else f"{city}{trade}{word}{suffix}"


def spacing_variant(name: str, rng: np.random.Generator) -> str:
    """Insert an ASCII or full-width space after the 2nd, 4th or 6th character."""
    pos = (2, 4, 6)[int(rng.integers(0, 3))]  # = rng.choice([2, 4, 6]) (same draw), 4x faster
    space = " " if rng.random() < 0.7 else "\u3000"
    return name[:pos] + space + name[pos:]


def bracket_variant(name: str) -> str:
    """Swap full-width and half-width brackets."""
    if "（" in name:
        return name.replace("（", "(").replace("）", ")")
    return name.replace("(", "（").replace(")", "）")


def suffix_variant(name: str) -> str:
    """Write the legal-form suffix differently (longest suffix first)."""
    for suf in ("股份有限公司", "有限责任公司", "有限公司", "厂"):
        if name.endswith(suf):
            return name[: -len(suf)] + SUFFIX_SWAP[suf]
    return name + "有限公司"


def hard_variant(city: str, trade: str, word: str, suffix: str, rng: np.random.Generator) -> str:
    """A spelling normalization cannot map back: city dropped, or "集团" inserted."""
    if rng.random() < 0.5:
        return f"{trade}{word}{suffix if suffix != '厂' else '有限公司'}"
    return f"{city}{trade}{word}集团有限公司"


def legal_codes(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct 9-character organization codes: 8 digits + GB 11714 check character."""
    body = 10_000_000 + rng.choice(89_999_999, size=n, replace=False)
    digits = np.stack([(body // 10 ** (7 - k)) % 10 for k in range(8)], axis=1)
    w = np.array([3, 7, 9, 10, 5, 8, 4, 2])
    c = 11 - (digits @ w) % 11
    check = np.where(c == 10, "X", np.where(c == 11, "0", c.astype(str)))
    return np.char.add(body.astype(str), check).astype(object)


def phones(rng: np.random.Generator, area_codes: np.ndarray) -> np.ndarray:
    """Distinct phone numbers "AREA-NNNNNNNN" (8-digit local numbers starting with 2-8)."""
    n = len(area_codes)
    local = 20_000_000 + rng.choice(70_000_000, size=n, replace=False)
    return np.char.add(np.char.add(area_codes.astype(str), "-"), local.astype(str)).astype(object)


def zips(rng: np.random.Generator, zip_bases: np.ndarray) -> np.ndarray:
    """6-digit zips: the city's first four digits + a district pair (00, 10, ..., 80)."""
    tail = rng.choice(np.array(["00", "10", "11", "20", "30", "40", "50", "60", "80"]), size=len(zip_bases))
    return np.char.add(np.array([z[:4] for z in zip_bases]), tail).astype(object)


def customs_codes(rng: np.random.Generator, city_codes: np.ndarray, type_digit: np.ndarray) -> np.ndarray:
    """Distinct 10-digit customs firm codes: city code (4) + ownership digit + 5-digit serial."""
    prefix = np.char.add(city_codes.astype(str), type_digit.astype(str))
    out = np.empty(len(prefix), dtype=object)
    for p in np.unique(prefix):
        idx = np.flatnonzero(prefix == p)
        if len(idx) > 99_000:
            raise ValueError(f"too many customs firms under prefix {p}")
        serial = 1 + rng.choice(99_999, size=len(idx), replace=False)
        out[idx] = [f"{p}{s:05d}" for s in serial]
    return out
