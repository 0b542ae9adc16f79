"""Fixed P2 catalogs of the synthetic world: extra cities and the place/industry attributes P2 uses.

P2 (Ma, Wang & Gong; SPEC sections 1 and 5) needs, beyond P1's 33 cities:

* enough prefecture cities per province for the neighbour-city instrument of Table 6 (the 5, 7
  and 10 same-province cities closest in GDP, municipalities and provincial capitals dropped;
  :func:`eq_assets.instruments.neighbours.neighbour_iv`). P1's catalog has at most 6
  non-capital cities in a province, so the 5/7/10 columns would coincide. :data:`P2_EXTRA_CITIES`
  adds 80 real prefecture cities (admin codes, zip bases and phone area codes as in 2010) so that
  Liaoning, Jiangsu, Shandong and Guangdong have 11+ non-capital cities (Zhejiang 10, Fujian 8,
  Henan 8, Hubei 7, Sichuan 9: short provinces average all they have, as ``short="use_all"``).
  The extra cities are small (weights 0.3-0.8), so the big exporting cities still dominate;
  they are appended after P1's cities (``catalog.CITIES``), so P1's city indices are unchanged.
* time-invariant city attributes (region, coastal, capital, municipality, smart-city pilot
  batch), the pilot-FTZ provinces, and 4-digit CIC attributes (GVC upstreamness, high-tech,
  energy and raw materials, capital intensity).

Nothing here is random.
"""

from __future__ import annotations

#: Extra prefecture cities, same layout as ``catalog.CITIES``:
#: (city code PPCC, short name, zip base, phone area code, relative size, district codes XX).
P2_EXTRA_CITIES: tuple[tuple[str, str, str, str, float, tuple[str, ...]], ...] = (
    # Liaoning 辽宁
    ("2103", "鞍山", "114000", "0412", 0.6, ("02", "03", "81")),
    ("2104", "抚顺", "113000", "024", 0.4, ("02", "03", "04")),
    ("2105", "本溪", "117000", "024", 0.3, ("02", "03", "04")),
    ("2106", "丹东", "118000", "0415", 0.4, ("02", "03", "81")),
    ("2107", "锦州", "121000", "0416", 0.4, ("02", "03", "81")),
    ("2108", "营口", "115000", "0417", 0.5, ("02", "03", "81")),
    ("2109", "阜新", "123000", "0418", 0.3, ("02", "03", "04")),
    ("2110", "辽阳", "111000", "0419", 0.3, ("02", "03", "81")),
    ("2111", "盘锦", "124000", "0427", 0.4, ("02", "03", "11")),
    ("2112", "铁岭", "112000", "024", 0.3, ("02", "04", "81")),
    ("2113", "朝阳", "122000", "0421", 0.3, ("02", "03", "81")),
    ("2114", "葫芦岛", "125000", "0429", 0.3, ("02", "03", "81")),
    # Jiangsu 江苏
    ("3203", "徐州", "221000", "0516", 0.8, ("02", "03", "11", "81")),
    ("3207", "连云港", "222000", "0518", 0.5, ("03", "05", "06")),
    ("3208", "淮安", "223000", "0517", 0.5, ("02", "03", "11")),
    ("3209", "盐城", "224000", "0515", 0.6, ("02", "03", "81")),
    ("3210", "扬州", "225000", "0514", 0.7, ("02", "03", "81")),
    ("3211", "镇江", "212000", "0511", 0.7, ("02", "11", "81")),
    ("3212", "泰州", "225300", "0523", 0.6, ("02", "03", "81")),
    ("3213", "宿迁", "223800", "0527", 0.4, ("02", "11", "22")),
    # Zhejiang 浙江
    ("3305", "湖州", "313000", "0572", 0.8, ("02", "03", "21")),
    ("3308", "衢州", "324000", "0570", 0.4, ("02", "03", "81")),
    ("3309", "舟山", "316000", "0580", 0.4, ("02", "03", "21")),
    ("3311", "丽水", "323000", "0578", 0.4, ("02", "81", "21")),
    # Fujian 福建
    ("3503", "莆田", "351100", "0594", 0.5, ("02", "03", "04")),
    ("3504", "三明", "365000", "0598", 0.3, ("02", "03", "81")),
    ("3506", "漳州", "363000", "0596", 0.6, ("02", "03", "81")),
    ("3507", "南平", "353000", "0599", 0.3, ("02", "81", "82")),
    ("3508", "龙岩", "364000", "0597", 0.3, ("02", "21", "81")),
    ("3509", "宁德", "352100", "0593", 0.3, ("02", "81", "82")),
    # Shandong 山东
    ("3703", "淄博", "255000", "0533", 0.7, ("02", "03", "04", "05")),
    ("3704", "枣庄", "277100", "0632", 0.4, ("02", "03", "81")),
    ("3705", "东营", "257000", "0546", 0.5, ("02", "03", "21")),
    ("3708", "济宁", "272000", "0537", 0.5, ("02", "11", "81")),
    ("3709", "泰安", "271000", "0538", 0.4, ("02", "11", "82")),
    ("3710", "威海", "264200", "0631", 0.6, ("02", "81", "82")),
    ("3711", "日照", "276800", "0633", 0.4, ("02", "03", "21")),
    ("3713", "临沂", "276000", "0539", 0.6, ("02", "11", "12")),
    ("3714", "德州", "253000", "0534", 0.4, ("02", "21", "81")),
    ("3715", "聊城", "252000", "0635", 0.4, ("02", "21", "81")),
    ("3716", "滨州", "256600", "0543", 0.4, ("02", "21", "25")),
    ("3717", "菏泽", "274000", "0530", 0.4, ("02", "21", "22")),
    # Henan 河南
    ("4102", "开封", "475000", "0378", 0.3, ("02", "03", "04")),
    ("4103", "洛阳", "471000", "0379", 0.5, ("02", "03", "04", "05")),
    ("4104", "平顶山", "467000", "0375", 0.3, ("02", "03", "04")),
    ("4105", "安阳", "455000", "0372", 0.3, ("02", "03", "05")),
    ("4107", "新乡", "453000", "0373", 0.3, ("02", "03", "04")),
    ("4108", "焦作", "454000", "0391", 0.3, ("02", "03", "04")),
    ("4110", "许昌", "461000", "0374", 0.3, ("02", "81", "82")),
    ("4113", "南阳", "473000", "0377", 0.3, ("02", "03", "81")),
    # Hubei 湖北
    ("4202", "黄石", "435000", "0714", 0.3, ("02", "03", "04")),
    ("4203", "十堰", "442000", "0719", 0.3, ("02", "03", "81")),
    ("4205", "宜昌", "443000", "0717", 0.4, ("02", "03", "81")),
    ("4206", "襄阳", "441000", "0710", 0.4, ("02", "06", "07")),
    ("4207", "鄂州", "436000", "0711", 0.3, ("02", "03", "04")),
    ("4208", "荆门", "448000", "0724", 0.3, ("02", "04", "81")),
    ("4210", "荆州", "434000", "0716", 0.3, ("02", "03", "81")),
    # Guangdong 广东
    ("4402", "韶关", "512000", "0751", 0.3, ("03", "04", "81")),
    ("4405", "汕头", "515000", "0754", 0.8, ("07", "11", "12", "13")),
    ("4407", "江门", "529000", "0750", 0.8, ("03", "04", "81")),
    ("4408", "湛江", "524000", "0759", 0.4, ("02", "03", "04")),
    ("4409", "茂名", "525000", "0668", 0.3, ("02", "04", "81")),
    ("4412", "肇庆", "526000", "0758", 0.4, ("02", "03", "83")),
    ("4413", "惠州", "516000", "0752", 0.8, ("02", "03", "22")),
    ("4414", "梅州", "514000", "0753", 0.3, ("02", "21", "81")),
    ("4415", "汕尾", "516600", "0660", 0.3, ("02", "21", "81")),
    ("4416", "河源", "517000", "0762", 0.3, ("02", "21", "22")),
    ("4417", "阳江", "529500", "0662", 0.3, ("02", "21", "81")),
    ("4418", "清远", "511500", "0763", 0.4, ("02", "21", "81")),
    ("4451", "潮州", "521000", "0768", 0.5, ("02", "21", "22")),
    ("4452", "揭阳", "522000", "0663", 0.5, ("02", "21", "81")),
    # Sichuan 四川
    ("5103", "自贡", "643000", "0813", 0.3, ("02", "03", "04")),
    ("5104", "攀枝花", "617000", "0812", 0.3, ("02", "03", "11")),
    ("5105", "泸州", "646000", "0830", 0.3, ("02", "03", "04")),
    ("5106", "德阳", "618000", "0838", 0.4, ("03", "81", "82")),
    ("5107", "绵阳", "621000", "0816", 0.4, ("03", "04", "81")),
    ("5109", "遂宁", "629000", "0825", 0.3, ("03", "04", "21")),
    ("5111", "乐山", "614000", "0833", 0.3, ("02", "11", "12")),
    ("5113", "南充", "637000", "0817", 0.3, ("02", "03", "04")),
    ("5115", "宜宾", "644000", "0831", 0.3, ("02", "21", "22")),
)

#: Provinces whose capitals are dropped as neighbour-IV targets (P2 Table 6), as city codes.
PROVINCIAL_CAPITALS: frozenset[str] = frozenset({"2101", "3201", "3301", "3501", "3701", "4101", "4201", "4401", "5101"})

#: Province codes of the municipalities in the world (直辖市; Chongqing 50 is not in the world).
MUNICIPALITY_PROVINCES: frozenset[str] = frozenset({"11", "12", "31", "50"})

#: Region (东部/中部/西部, NBS division) of each province in the world.
PROVINCE_REGION: dict[str, str] = {
    "11": "东部", "12": "东部", "21": "东部", "31": "东部", "32": "东部", "33": "东部", "35": "东部",
    "37": "东部", "44": "东部", "41": "中部", "42": "中部", "51": "西部",
}

#: Coastal prefecture cities (on the sea or a bay).
COASTAL_CITIES: frozenset[str] = frozenset({
    "1201", "2102", "2106", "2107", "2108", "2111", "2114", "3101", "3206", "3207", "3209",
    "3301", "3302", "3303", "3304", "3306", "3309", "3310", "3501", "3502", "3503", "3505", "3506",
    "3509", "3702", "3705", "3706", "3707", "3710", "3711", "3716", "4401", "4403", "4404", "4405",
    "4407", "4408", "4409", "4413", "4415", "4417", "4419", "4420", "4451", "4452",
})

#: National smart-city pilot batch year (2013 first and second batch, 2015 third); others none.
#: All are after P2's 2010-2012, so the P2 moderator is "city is (ever) a pilot".
SMART_CITY_YEAR: dict[str, int] = {
    "1101": 2013, "1201": 2013, "2102": 2013, "3101": 2015, "3202": 2013, "3204": 2013, "3205": 2013,
    "3206": 2015, "3211": 2013, "3212": 2013, "3302": 2013, "3303": 2013, "3304": 2015, "3307": 2013,
    "3502": 2013, "3505": 2015, "3702": 2015, "3703": 2013, "3705": 2013, "3710": 2013, "3713": 2015,
    "4101": 2013, "4103": 2013, "4201": 2013, "4205": 2015, "4403": 2013, "4404": 2013, "4405": 2015,
    "4406": 2015, "5106": 2013, "5107": 2015, "2109": 2015, "4408": 2015,
}

#: Provinces with a pilot free-trade zone in the first two batches (Shanghai 2013; Tianjin,
#: Fujian, Guangdong 2015): P2 Table 7 col. 5's "FTZ provinces". The world writes the flag as a
#: province attribute repeated in every year (P2's years 2010-2012 precede every FTZ, so a flag
#: switching on at the opening year would be zero throughout P2's sample).
FTZ_PROVINCES: frozenset[str] = frozenset({"31", "12", "35", "44"})

#: Provinces with above-average broadband users throughout (P2 Table 7 col. 6 "infra"); the
#: province panel keeps them well above and the others well below any plausible mean.
HIGH_BROADBAND_PROVINCES: frozenset[str] = frozenset({"32", "33", "37", "44"})

#: 4-digit CIC -> GVC upstreamness. Orders of magnitude as in Antras et al. (2012): raw materials
#: and intermediates high, final goods low. The three most upstream industries (organic
#: chemicals, steel, cotton textiles) hold about 12% of firms, so P2's "top decile" is them.
GVC_UPSTREAMNESS: dict[str, float] = {
    "1361": 1.85, "1370": 1.70, "1711": 3.20, "1810": 1.45, "1921": 1.40, "2110": 1.50, "2440": 1.35,
    "2614": 3.60, "2710": 2.10, "2821": 2.95, "2911": 2.30, "3010": 2.70, "3153": 1.60, "3230": 3.40,
    "3361": 3.05, "3411": 2.00, "3471": 1.80, "3551": 2.85, "3725": 2.40, "3912": 2.50, "3932": 2.75,
    "3951": 1.65, "4014": 1.90, "4041": 1.75, "4071": 1.55,
}
#: High-tech manufacturing (NBS 2013: pharmaceuticals, communication equipment, computers, electronics).
HIGH_TECH_INDUSTRIES: frozenset[str] = frozenset({"2710", "4014", "4041", "4071"})
#: Energy and raw-material industries (P2 Table 5 col. 7): chemical raw materials, steel, copper.
ENERGY_RAW_INDUSTRIES: frozenset[str] = frozenset({"2614", "3230", "3361"})

#: Industries whose upstreamness is in the top decile of P2 firm-years (see GVC_UPSTREAMNESS).
GVC_TOP_INDUSTRIES: frozenset[str] = frozenset({"2614", "3230", "1711"})


def capital_intensive(cic: str) -> int:
    """P2 Table 8 col. 1: capital-intensive (metallurgy, machinery, chemicals ...) = CIC division
    25-43; labour-intensive (food, textiles, apparel, leather, wood, furniture, paper, culture
    goods) = divisions 13-24. P2 classifies "by industry name"; this is the world's rule."""
    return int(str(cic)[:2] >= "25")


#: Registration types (GB/T) read as private (私营) firms: 171-174 (P2 Table 9 col. 1).
PRIVATE_REG_TYPES: frozenset[str] = frozenset({"171", "172", "173", "174"})
#: State-owned: 110 国有企业, 141 国有联营, 151 国有独资公司.
SOE_REG_TYPES: frozenset[str] = frozenset({"110", "141", "151"})


def is_foreign(reg_type: str) -> int:
    """Hong Kong/Macao/Taiwan (2xx) or foreign-invested (3xx)."""
    return int(str(reg_type)[:1] in ("2", "3"))
