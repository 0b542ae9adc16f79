"""Fixed catalogs of the synthetic world: places, industries, products, destinations, IPC.

Small hand-written lists with real codes (so raw files look like the real sources, SPEC
section 1): 33 prefecture cities in 11 provinces (6-digit admin codes PPCCXX, zip and phone
area codes), 25 manufacturing industries (4-digit CIC in the GB/T 4754-2002 style, divisions
13-42) each owning 8 HS6 products (HS2002 codes; 1-3 HS8 lines each; HS2007/HS2012 renumbering
for some), 40 customs partner codes with Chinese names and ISO3, registration types, and the
IPC entries of a digital-economy table (categories 01-04) plus non-digital IPC codes.
Nothing here is random, except :func:`build_products` which draws from a fixed stream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eq_assets.synth.rng import stream

# --- geography ------------------------------------------------------------------------------
#: (province code, province name)
PROVINCES: tuple[tuple[str, str], ...] = (
    ("11", "北京市"), ("12", "天津市"), ("21", "辽宁省"), ("31", "上海市"), ("32", "江苏省"),
    ("33", "浙江省"), ("35", "福建省"), ("37", "山东省"), ("41", "河南省"), ("42", "湖北省"),
    ("44", "广东省"), ("51", "四川省"),
)

#: (city code PPCC, short name, zip base, phone area code, relative size, district codes XX)
CITIES: tuple[tuple[str, str, str, str, float, tuple[str, ...]], ...] = (
    ("1101", "北京", "100000", "010", 2.0, ("05", "06", "08", "12", "15")),
    ("1201", "天津", "300000", "022", 2.0, ("10", "11", "12", "16")),
    ("2101", "沈阳", "110000", "024", 1.0, ("02", "03", "06", "14")),
    ("2102", "大连", "116000", "0411", 1.5, ("02", "03", "04", "13", "81")),
    ("3101", "上海", "200000", "021", 4.0, ("07", "12", "13", "14", "15", "17")),
    ("3201", "南京", "210000", "025", 1.5, ("02", "04", "06", "11", "15")),
    ("3202", "无锡", "214000", "0510", 2.0, ("02", "03", "11", "81", "82")),
    ("3204", "常州", "213000", "0519", 1.5, ("02", "04", "11", "81")),
    ("3205", "苏州", "215000", "0512", 4.0, ("05", "06", "07", "81", "82", "83", "85")),
    ("3206", "南通", "226000", "0513", 1.2, ("02", "11", "81", "82")),
    ("3301", "杭州", "310000", "0571", 2.5, ("02", "04", "06", "08", "09", "81")),
    ("3302", "宁波", "315000", "0574", 3.0, ("03", "04", "05", "06", "11", "81", "82")),
    ("3303", "温州", "325000", "0577", 2.0, ("02", "03", "04", "81", "82")),
    ("3304", "嘉兴", "314000", "0573", 1.2, ("02", "11", "81", "82")),
    ("3306", "绍兴", "312000", "0575", 1.5, ("02", "21", "81", "83")),
    ("3307", "金华", "321000", "0579", 1.5, ("02", "03", "81", "82", "83")),
    ("3310", "台州", "318000", "0576", 1.5, ("02", "03", "04", "81", "82")),
    ("3501", "福州", "350000", "0591", 1.2, ("02", "03", "04", "81")),
    ("3502", "厦门", "361000", "0592", 1.5, ("03", "05", "06", "11")),
    ("3505", "泉州", "362000", "0595", 1.5, ("02", "03", "81", "82")),
    ("3701", "济南", "250000", "0531", 1.0, ("02", "03", "04", "12")),
    ("3702", "青岛", "266000", "0532", 2.0, ("02", "03", "11", "81", "82")),
    ("3706", "烟台", "264000", "0535", 1.0, ("02", "11", "81", "86")),
    ("3707", "潍坊", "261000", "0536", 1.0, ("02", "05", "81", "86")),
    ("4101", "郑州", "450000", "0371", 0.8, ("02", "03", "05", "81")),
    ("4201", "武汉", "430000", "027", 1.2, ("02", "03", "04", "12", "14")),
    ("4401", "广州", "510000", "020", 3.0, ("03", "04", "05", "06", "11", "13")),
    ("4403", "深圳", "518000", "0755", 5.0, ("03", "04", "05", "06", "07")),
    ("4404", "珠海", "519000", "0756", 1.0, ("02", "03", "04")),
    ("4406", "佛山", "528000", "0757", 2.5, ("04", "05", "06", "07", "08")),
    ("4419", "东莞", "523000", "0769", 4.0, ("00",)),
    ("4420", "中山", "528400", "0760", 1.5, ("00",)),
    ("5101", "成都", "610000", "028", 1.2, ("04", "05", "06", "07", "12", "81")),
)

# P2: prefecture cities added for P2's neighbour-city instrument (5/7/10 same-province
# neighbours); appended after P1's 33 cities. See eq_assets/synth/p2_catalog.py.
from eq_assets.synth.p2_catalog import P2_EXTRA_CITIES  # noqa: E402

CITIES = CITIES + P2_EXTRA_CITIES  # P2:

PROVINCE_NAMES = dict(PROVINCES)


def cities_frame() -> pd.DataFrame:
    """One row per city: city_code, city_name (short), province_code, zip_base, area_code, weight."""
    rows = [
        {"city_code": c, "city_name": n, "province_code": c[:2], "zip_base": z, "area_code": a, "weight": w, "districts": d}
        for c, n, z, a, w, d in CITIES
    ]
    return pd.DataFrame(rows)


# --- industries and products ---------------------------------------------------------------
#: (CIC 4-digit, industry name, word used in firm names, HS4 headings, unit, base price USD/unit, weight)
INDUSTRIES: tuple[tuple[str, str, str, tuple[str, ...], str, float, float], ...] = (
    ("1361", "水产品冷冻加工", "水产", ("0303", "0304", "0306", "1604"), "千克", 4.0, 0.8),
    ("1370", "蔬菜、水果和坚果加工", "食品", ("0710", "0711", "2005", "2008"), "千克", 1.5, 0.8),
    ("1711", "棉、化纤纺织加工", "纺织", ("5205", "5208", "5209", "5407"), "千克", 5.0, 1.2),
    ("1810", "纺织服装制造", "服饰", ("6109", "6110", "6203", "6204"), "件", 8.0, 2.0),
    ("1921", "皮鞋制造", "鞋业", ("6402", "6403", "6404"), "双", 12.0, 1.2),
    ("2110", "木质家具制造", "家具", ("9401", "9403"), "件", 60.0, 1.0),
    ("2440", "玩具制造", "玩具", ("9503", "9504", "9505"), "个", 3.0, 1.0),
    ("2614", "有机化学原料制造", "化工", ("2901", "2905", "2915", "2917", "2933"), "千克", 2.0, 1.0),
    ("2710", "化学药品原药制造", "制药", ("2936", "2937", "2941"), "千克", 30.0, 0.7),
    ("2821", "锦纶纤维制造", "化纤", ("5402", "5503"), "千克", 2.5, 0.6),
    ("2911", "轮胎制造", "轮胎", ("4011", "4013"), "条", 40.0, 0.6),
    ("3010", "塑料薄膜制造", "塑胶", ("3920", "3921", "3923"), "千克", 2.5, 1.0),
    ("3153", "日用陶瓷制品制造", "陶瓷", ("6911", "6912", "6913"), "千克", 1.8, 0.7),
    ("3230", "钢压延加工", "钢材", ("7208", "7209", "7210", "7219"), "千克", 0.8, 0.8),
    ("3361", "铜压延加工", "铜业", ("7408", "7409", "7411"), "千克", 7.0, 0.6),
    ("3411", "金属结构制造", "钢构", ("7308", "7326"), "千克", 1.5, 0.8),
    ("3471", "金属制厨用器具制造", "五金", ("7323", "8211", "8215"), "个", 2.0, 1.0),
    ("3551", "轴承制造", "轴承", ("8482",), "套", 5.0, 0.7),
    ("3725", "汽车零部件及配件制造", "汽配", ("8708", "8511", "8512"), "个", 15.0, 1.2),
    ("3912", "电动机制造", "电机", ("8501", "8502"), "台", 120.0, 0.8),
    ("3932", "电线、电缆制造", "电缆", ("8544",), "千克", 5.0, 0.8),
    ("3951", "家用制冷电器具制造", "电器", ("8415", "8418"), "台", 200.0, 1.0),
    ("4014", "通信终端设备制造", "通讯", ("8517", "8525"), "台", 60.0, 1.2),
    ("4041", "计算机整机制造", "电脑", ("8471", "8473"), "台", 300.0, 1.0),
    ("4071", "家用影视设备制造", "电子", ("8519", "8521", "8528"), "台", 80.0, 1.0),
)

PRODUCTS_PER_INDUSTRY = 8
_SUFFIXES = ("10", "90", "20", "30", "11", "19", "40", "29", "50", "60", "21", "80")
_SPARE_SUFFIXES = ("12", "13", "15", "22", "23", "31", "32", "41", "42", "51", "52", "70", "91", "92", "99")
_HS8_TAILS = ("00", "10", "90", "20", "99")


@dataclass(frozen=True)
class Products:
    """The product catalog: one row per HS6 product (base = HS2002 code)."""

    table: pd.DataFrame  # product, industry_idx, hs6 (HS2002), hs6_2007, hs6_2012, unit, ln_price, rank, weight
    hs8: pd.DataFrame  # product, hs8_tail, weight


def build_products() -> Products:
    """HS6 products of each industry, their HS8 lines and HS2007/HS2012 renumbering.

    About 12% of HS6 codes get a new number in HS2007 (used 2007-2011), and about 10% more
    (or again) in HS2012 (used from 2012); renumbered codes stay in the same HS4 heading and
    never collide with another code of any revision, so the concordance is one-to-one.
    """
    rng = stream(0, "catalog", "products")
    rows = []
    used: set[str] = set()
    for k, (_cic, _name, _word, headings, unit, price, _w) in enumerate(INDUSTRIES):
        codes: list[str] = []
        i = 0
        while len(codes) < PRODUCTS_PER_INDUSTRY:
            h = headings[i % len(headings)]
            sfx = _SUFFIXES[i // len(headings)]
            codes.append(h + sfx)
            i += 1
        used.update(codes)
        for r, code in enumerate(codes):
            rows.append({"industry_idx": k, "hs6": code, "unit": unit, "rank": r,
                         "ln_price": float(np.log(price) + rng.normal(0, 0.4))})
    table = pd.DataFrame(rows)
    table.insert(0, "product", np.arange(len(table)))
    # base Zipf weights of products within an industry (rank 0 most common); firms choose with
    # probabilities proportional to weight ** WorldParams.product_zipf
    table["weight"] = 1.0 / (table["rank"] + 1.0)

    def renumber(code: str) -> str:
        for s in rng.permutation(_SPARE_SUFFIXES):
            new = code[:4] + s
            if new not in used:
                used.add(new)
                return new
        raise RuntimeError(f"no spare HS6 number in heading {code[:4]}")

    c07, c12 = [], []
    for code in table["hs6"]:
        new07 = renumber(code) if rng.random() < 0.12 else code
        new12 = renumber(code) if rng.random() < 0.10 else new07
        c07.append(new07)
        c12.append(new12)
    table["hs6_2007"] = c07
    table["hs6_2012"] = c12

    lines = []
    for p in table["product"]:
        n = int(rng.choice([1, 2, 3], p=[0.35, 0.4, 0.25]))
        tails = list(_HS8_TAILS[:n])
        w = rng.dirichlet(np.full(n, 2.0))
        lines += [{"product": p, "hs8_tail": t, "weight": float(x)} for t, x in zip(tails, w)]
    return Products(table=table, hs8=pd.DataFrame(lines))


def hs_version(year: int) -> str:
    """HS revision used by Chinese customs in ``year``."""
    return "HS2012" if year >= 2012 else "HS2007" if year >= 2007 else "HS2002"


# --- destinations ----------------------------------------------------------------------------
#: (customs code, Chinese name, ISO3), in order of market size for Chinese exporters.
DESTINATIONS: tuple[tuple[str, str, str], ...] = (
    ("502", "美国", "USA"), ("110", "香港", "HKG"), ("116", "日本", "JPN"), ("133", "韩国", "KOR"),
    ("304", "德国", "DEU"), ("309", "荷兰", "NLD"), ("303", "英国", "GBR"), ("344", "俄罗斯联邦", "RUS"),
    ("132", "新加坡", "SGP"), ("111", "印度", "IND"), ("305", "法国", "FRA"), ("307", "意大利", "ITA"),
    ("601", "澳大利亚", "AUS"), ("141", "越南", "VNM"), ("122", "马来西亚", "MYS"), ("138", "阿联酋", "ARE"),
    ("501", "加拿大", "CAN"), ("410", "巴西", "BRA"), ("112", "印度尼西亚", "IDN"), ("136", "泰国", "THA"),
    ("312", "西班牙", "ESP"), ("429", "墨西哥", "MEX"), ("129", "菲律宾", "PHL"), ("137", "土耳其", "TUR"),
    ("131", "沙特阿拉伯", "SAU"), ("244", "南非", "ZAF"), ("301", "比利时", "BEL"), ("327", "波兰", "POL"),
    ("127", "巴基斯坦", "PAK"), ("236", "尼日利亚", "NGA"), ("412", "智利", "CHL"), ("215", "埃及", "EGY"),
    ("103", "孟加拉国", "BGD"), ("330", "瑞典", "SWE"), ("609", "新西兰", "NZL"), ("106", "缅甸", "MMR"),
    ("107", "柬埔寨", "KHM"), ("217", "埃塞俄比亚", "ETH"), ("247", "坦桑尼亚", "TZA"), ("125", "尼泊尔", "NPL"),
)


def destinations_frame() -> pd.DataFrame:
    """dest_code, dest_name, iso3, weight (1/rank; firms choose with weight ** destination_zipf), ln_size."""
    df = pd.DataFrame(DESTINATIONS, columns=["dest_code", "dest_name", "iso3"])
    rank = np.arange(len(df))
    df["weight"] = 1.0 / (rank + 1.0)
    df["ln_size"] = np.log(df["weight"] / df["weight"].max())
    return df


# --- firms -------------------------------------------------------------------------------------
#: (registration type code, share among domestic-market firms, legal-form suffix, is_foreign)
#: GB/T registration types: 1xx domestic, 2xx Hong Kong/Macao/Taiwan-invested, 3xx foreign-invested.
REG_TYPES: tuple[tuple[str, float, str, bool], ...] = (
    ("110", 0.04, "厂", False),  # 国有企业
    ("120", 0.03, "厂", False),  # 集体企业
    ("151", 0.02, "有限公司", False),  # 国有独资公司
    ("159", 0.12, "有限责任公司", False),  # 其他有限责任公司
    ("160", 0.05, "股份有限公司", False),  # 股份有限公司
    ("171", 0.04, "厂", False),  # 私营独资企业
    ("173", 0.38, "有限公司", False),  # 私营有限责任公司
    ("174", 0.03, "股份有限公司", False),  # 私营股份有限公司
    ("210", 0.05, "有限公司", True),  # 合资经营企业（港或澳、台资）
    ("220", 0.02, "有限公司", True),  # 合作经营企业（港或澳、台资）
    ("230", 0.06, "有限公司", True),  # 港、澳、台商独资经营企业
    ("310", 0.06, "有限公司", True),  # 中外合资经营企业
    ("320", 0.02, "有限公司", True),  # 中外合作经营企业
    ("330", 0.08, "有限公司", True),  # 外资企业
)

#: Characters of firm trade names (字号). None of them can form an intermediary keyword
#: (进出口, 贸易, 经贸, 科贸, 外经, 工贸, 外贸) or a legal-form suffix.
NAME_CHARS = (
    "华茂新达宏盛信恒丰泰嘉利隆源鑫瑞祥康宝天金永昌兴明光海中东南佳安凯博通和正德富顺万福星晨"
    "亿创远方立汇美力成江龙伟鸿振诚锦威豪辉欧亚联红旭英宇荣乐精捷卓雅涛峰益浩润宁泽"
)
INTERMEDIARY_WORDS: tuple[str, ...] = ("进出口", "贸易", "经贸", "科贸", "外经贸")

UNIVERSITIES: tuple[str, ...] = (
    "清华大学", "浙江大学", "上海交通大学", "华南理工大学", "南京大学", "中山大学", "华中科技大学",
    "东南大学", "同济大学", "山东大学", "四川大学", "大连理工大学", "北京航空航天大学", "哈尔滨工业大学",
    "西安交通大学", "复旦大学", "厦门大学", "武汉大学", "天津大学", "中国科学院计算技术研究所",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌辉宇浩凯"


# --- IPC ----------------------------------------------------------------------------------------
#: The digital-economy table (SPEC section 1): (de_code, de_name, IPC entry). Second-level
#: categories are those the 2023 CNIPA table covers (0101-0106, 0204, 0301-0305, 0401, 0405,
#: 0407); entries are at subclass ("G11C"), main-group ("H04L 9/") or subgroup ("G06Q 10/06")
#: level and never nest across categories, so each digital patent has a clear category.
DIGITAL_IPC: tuple[tuple[str, str, str], ...] = (
    ("0101", "计算机制造", "G06F 1/"), ("0101", "计算机制造", "G06F 3/"),
    ("0101", "计算机制造", "G06F 15/"), ("0101", "计算机制造", "G11C"),
    ("0102", "通讯及雷达设备制造", "H04B"), ("0102", "通讯及雷达设备制造", "H01Q"),
    ("0102", "通讯及雷达设备制造", "G01S"),
    ("0103", "数字媒体设备制造", "H04N 5/"), ("0103", "数字媒体设备制造", "H04R"),
    ("0103", "数字媒体设备制造", "G11B"),
    ("0104", "智能设备制造", "B25J 9/"), ("0104", "智能设备制造", "G05B 19/"),
    ("0104", "智能设备制造", "G05D 1/"),
    ("0105", "电子元器件及设备制造", "H01L"), ("0105", "电子元器件及设备制造", "H05K"),
    ("0105", "电子元器件及设备制造", "H01G"), ("0105", "电子元器件及设备制造", "H03K"),
    ("0106", "其他数字产品制造业", "G06K 19/"), ("0106", "其他数字产品制造业", "G07F 19/"),
    ("0204", "数字产品维修", "G06F 11/"), ("0204", "数字产品维修", "H04L 41/"),
    ("0301", "软件开发", "G06F 8/"), ("0301", "软件开发", "G06F 9/"),
    ("0301", "软件开发", "G06F 16/"), ("0301", "软件开发", "G06F 21/"),
    ("0302", "电信、广播电视和卫星传输服务", "H04W"), ("0302", "电信、广播电视和卫星传输服务", "H04L 5/"),
    ("0302", "电信、广播电视和卫星传输服务", "H04H"), ("0302", "电信、广播电视和卫星传输服务", "H04J"),
    ("0303", "互联网相关服务", "H04L 67/"), ("0303", "互联网相关服务", "H04L 12/"),
    ("0304", "信息技术服务", "G06N"), ("0304", "信息技术服务", "G06T"),
    ("0304", "信息技术服务", "G06K 9/"), ("0304", "信息技术服务", "G10L"),
    ("0305", "其他数字技术应用业", "G06Q 10/06"), ("0305", "其他数字技术应用业", "G06Q 10/08"),
    ("0305", "其他数字技术应用业", "G08G 1/"),
    ("0401", "互联网平台", "G06Q 30/"), ("0401", "互联网平台", "G06Q 50/"),
    ("0405", "信息基础设施建设", "H04L 9/"), ("0405", "信息基础设施建设", "H04Q"),
    ("0407", "其他数字要素驱动业", "G06Q 20/"), ("0407", "其他数字要素驱动业", "G06Q 40/04"),
)

#: IPC main groups/subclasses of non-digital patents: none starts with a DIGITAL_IPC entry.
NONDIGITAL_IPC: tuple[str, ...] = (
    "A01B 1/", "A23L 3/", "A43B 13/", "A47J 27/", "A61K 36/", "A63H 33/", "B21D 22/", "B23K 26/",
    "B27M 3/", "B29C 45/", "B60R 16/", "B65D 81/", "C04B 35/", "C07C 69/", "C07D 213/", "C08L 23/",
    "C09D 5/", "D03D 15/", "D04B 1/", "D06F 37/", "E04B 1/", "E05B 65/", "F04B 39/", "F16C 33/",
    "F16H 57/", "F21V 23/", "F24F 11/", "F25D 11/", "H01B 7/", "H01M 10/", "H01R 13/", "H02K 1/",
)


def ipc_subgroup(entry: str, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` concrete IPC codes under a table entry (subclass, main group or subgroup)."""
    if "/" not in entry:  # subclass -> add a main group and subgroup
        groups = rng.integers(1, 40, n)
        subs = rng.choice(["00", "02", "04", "06", "10", "12", "16", "20", "32"], n)
        return np.array([f"{entry} {g}/{s}" for g, s in zip(groups, subs)], dtype=object)
    head, tail = entry.split("/")
    if tail == "":  # main group -> add a subgroup
        subs = rng.choice(["00", "02", "04", "06", "10", "12", "16", "20", "30", "32", "40"], n)
        return np.array([f"{head}/{s}" for s in subs], dtype=object)
    extra = rng.choice(["", "1", "3", "5"], n)  # subgroup -> itself or a deeper subgroup
    return np.array([f"{entry}{e}" for e in extra], dtype=object)


def is_digital_code(code: str) -> bool:
    """The rule of SPEC section 4: a code is digital if, spaces removed, it starts with an entry."""
    c = code.replace(" ", "").upper()
    return any(c.startswith(e.replace(" ", "").upper()) for _, _, e in DIGITAL_IPC)
