"""Parameters of the synthetic world (SPEC section 7).

Everything the generator draws from is a field of :class:`WorldParams`, a frozen dataclass
with one docstring per field; ``params.json`` in the output records all of them. Scales
(:data:`SCALE_PRESETS`) change only the number of firms, never a parameter, so estimates at
larger scales tighten around the same true values.

The true values written to ``truth.csv`` come from here: in P1 Table 1 the coefficient of
``Distance`` on ``Eco`` is ``-beta_eco`` and on control k is ``-gamma[k]`` (Distance = frontier
- quality, and quality is the latent log quality minus its cell mean; see ``world.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

#: Survey (ASIF) firms per scale. Chosen so that P1's final analysis sample (firm x HS6 x
#: destination x trade mode x year, after cleaning, matching and complete controls) is about
#: 15 thousand (tiny), 300 thousand (small) and 9.6 million (paper, as in Song & Hu 2024).
SCALE_PRESETS: dict[str, int] = {"tiny": 800, "small": 10_700, "paper": 330_000}

#: Names of P1's controls, in the order of SPEC section 4.
CONTROL_NAMES: tuple[str, ...] = ("Size", "Profit_rate", "Finance", "Age", "Tangible", "Leverage")


#: P1's digital sub-measures (SPEC section 4, Tables 4 and 6), each with its own effect on log quality.
ECO_PARTS: tuple[str, ...] = ("Eco_invent", "Eco_str", "Eco_manu", "Eco_apply", "Eco_factor")


def _beta_parts_default() -> dict[str, float]:
    return {"Eco_invent": 0.05, "Eco_str": -0.03, "Eco_manu": 0.03, "Eco_apply": 0.0, "Eco_factor": 0.02}


def _gamma_default() -> dict[str, float]:
    return {
        "Size": 0.15,
        "Profit_rate": 0.06,
        "Finance": 0.30,
        "Age": -0.15,
        "Tangible": 0.10,
        "Leverage": -0.15,
    }


# P2: moderators of the e-government effect (P2 Tables 7-9), in P2_MODERATORS order.
P2_MODERATORS: tuple[str, ...] = (
    "coastal", "egov_policy", "smart_city", "ftz", "infra", "ind_type", "high_tech", "private", "ln_assets",
    "SA", "gvc_top", "general_trade",
)


def _p2_delta_default() -> dict[str, float]:  # P2:
    return {
        "coastal": 0.6, "egov_policy": 0.3, "smart_city": 0.0, "ftz": 0.6, "infra": 0.6, "ind_type": -0.5,
        "high_tech": -0.5, "private": 0.4, "ln_assets": 0.3, "SA": 0.8, "gvc_top": 0.6,
        "general_trade": 0.0,
    }


def _industry_elasticities_default() -> dict[str, tuple[float, float]]:
    """(beta_l, beta_k) of real value added per 2-digit CIC industry of the catalog: labour-
    intensive light industries (apparel, shoes, toys) have the larger labour and smaller capital
    elasticity, process industries (chemicals, fibres, steel, non-ferrous metals) the reverse.
    Illustrative values in the range of per-industry LP estimates on ASIF (e.g. Brandt, Van
    Biesebroeck & Zhang 2012 report labour 0.3-0.6, capital 0.2-0.5 in value-added terms)."""
    return {
        "13": (0.46, 0.34), "17": (0.54, 0.30), "18": (0.60, 0.25), "19": (0.58, 0.26), "21": (0.55, 0.29),
        "24": (0.57, 0.27), "26": (0.40, 0.43), "27": (0.43, 0.41), "28": (0.38, 0.45), "29": (0.46, 0.37),
        "30": (0.48, 0.35), "31": (0.47, 0.36), "32": (0.38, 0.45), "33": (0.40, 0.44), "34": (0.52, 0.32),
        "35": (0.50, 0.34), "37": (0.47, 0.38), "39": (0.50, 0.35), "40": (0.53, 0.33),
    }


@dataclass(frozen=True)
class WorldParams:
    """All parameters of the synthetic world. Frozen: make variants with :meth:`replace`."""

    # --- identity and size -------------------------------------------------------------------
    seed: int = 20240801
    """Master seed; every component and year draws from its own ``SeedSequence`` child."""
    scale: str = "small"
    """Name of the size preset (``tiny``, ``small``, ``paper``); informational once
    ``n_survey_firms`` is set."""
    n_survey_firms: int = SCALE_PRESETS["small"]
    """Number of firms in the industrial survey (ASIF) over 2004-2014: the only size knob."""

    # --- demand and quality (SPEC section 3) -------------------------------------------------
    sigma: float = 3.0
    """CES elasticity of substitution (P2 imposes 3; P1 does not state its sigma, the pipeline's
    default is 3): ln q = -sigma ln p +
    (sigma-1) ln lambda + ln(E/P)."""
    beta_eco: float = 0.10
    """True effect of Eco = ln(1 + digital patents) on log quality (on top of ``beta_parts``).
    The digital part of log quality is ``beta_eco*Eco + sum_k beta_parts[k]*Eco_k``, so the
    causal coefficient of Distance on Eco alone is about -(beta_eco + projections of the parts
    on Eco); truth.csv therefore holds oracle values (see ``oracle.py``)."""
    beta_parts: dict[str, float] = field(default_factory=_beta_parts_default)
    """Own effects on log quality of ``Eco_k = ln(1 + n_k)`` for the sub-counts of digital
    patents: Eco_invent (发明 inventions), Eco_str (实用新型 utility models + 外观设计 designs,
    P1's "strategic" patents), Eco_manu (category 01), Eco_apply (03), Eco_factor (04); P1
    Tables 4 and 6. Category 02 (services) exists in the files with no own effect."""
    gamma: dict[str, float] = field(default_factory=_gamma_default)
    """True effect of each P1 control (SPEC section 4) on log quality; the true coefficient of
    Distance on control k is -gamma[k]."""
    alpha_price: float = 0.5
    """Elasticity of the price to quality (quality is costly): ln p = cost + alpha ln lambda."""
    endog_loading: float = 0.12
    """Loading of an unobserved firm-year shock v_it ~ N(0,1) on log quality (P1 Table 7's
    endogeneity). v_it also raises the log rate of digital patenting (``endog_rate_loading``), so
    with endog_loading > 0 OLS of Distance on Eco is biased downwards (more negative than the
    causal value: firms with a good year both patent more and export higher quality). 0: Eco is
    exogenous given the FE. The default makes the P1 Table 1 col. 4 OLS bias several SE at
    SCALE=small (params.json ``diagnostics``)."""
    endog_rate_loading: float = 0.5
    """Loading of v_it on the log rate of digital patenting (see ``endog_loading``)."""

    # --- instruments of P1 Table 7 (they move patenting, never quality) --------------------
    pi_internet: float = 0.8
    """Effect on the log digital-patent rate of ``(C_c / mean C) * ln(ports_pt / ports_p,2004)``:
    a city's 1984 communications capacity C_c (phones_1984 and post_offices_1984 are noisy
    measures of it) scales how much its province's internet roll-out (ports) raises digital
    patenting (frozen at 2014 after the survey). What the pipeline computes (P1 Table 7)::

        IV_phone = phones_1984(city) * ln(internet_ports(province, year))
        IV_post  = post_offices_1984(city) * ln(internet_ports(province, year))

    with the firm-year's city (行政区划代码 first 4 digits) and its province (first 2), ports as
    written (10k ports). Within a firm (firm FE) this is the city-specific slope on provincial
    log ports: the structural driver up to the noise in phones/posts. The level product
    ``phones * ports`` is also relevant (first-stage t about 9 at SCALE=small vs about 9 for the
    log form), but the log form is the one the structure uses."""
    internet_driver_cap: float = 5.0
    """The internet driver enters the log rate winsorized at this value (about its 99th
    percentile in 2014; median 1.1). Uncapped, the few cities with both the largest 1984 legacy
    and the fastest port growth (driver up to 11.8) filed thousands of times the median city's
    digital patents: 46 million patents at SCALE=paper. With the cap (and ``pi_internet`` 0.8)
    SCALE=small writes about 6 times fewer digital patents and the first stage of IV_phone keeps
    t = 4.3 (measured). The pipeline's instruments stay the uncapped products, so the first
    stage is slightly misspecified at the top, as it would be with real data."""
    pi_foreign: float = 3.0
    """Effect on the log digital-patent rate of the firm's exposure to foreign patent filings in
    China in its technology classes: ``sum_s w_is (ln F_st - ln F_s,2004)`` over IPC subclasses s
    (its deviation from the cross-class mean: year FE absorb the rest), ``w_is`` the expected
    share of the firm's patents whose main IPC code is in s (its technology position:
    ``tech_focus`` on its home entries, see ``reference.class_driver``); frozen at 2014 after the
    survey. The pipeline's IV_patent (P1 Table 7 cols 5-6, default reading) is
    ``sum_s w_hat_is ln F_st`` with ``w_hat`` the realized shares of the firm's patents over the
    sample years (0 for firms without patents): with firm and year FE it carries this variation
    up to the sampling noise of the shares. It varies within industry-year, so it does not move
    the industry-year quality frontier."""
    pi_foreign_industry: float = 1.0
    """Effect on the log digital-patent rate of the relative growth of ``ln(foreign patent
    filings)`` of the firm's 2-digit industry (deviation from the cross-industry mean and from
    the industry's 2004 level; frozen at 2014). The industry-year reading of IV_patent (variant
    ``industry_year``: ln filings of the firm-year's cic2) carries it; it moves every firm of an
    industry alike, so its 2SLS estimand differs from the firm-level effect (oracle truth)."""
    tech_focus: float = 0.8
    """Probability that a firm's patent takes its main IPC entry from the firm's home entries
    (one per digital category for digital patents, one non-digital entry otherwise; else an entry
    drawn uniformly): the concentration of firms' technology positions behind IV_patent."""

    # --- Eco's effects on the mechanism outcomes (P1 Tables 8, 9) ---------------------------
    tfp_eco: float = 0.05
    """Effect of Eco on ln value added (TFP; P1 Table 8 col. 1) that the firm does not anticipate
    when choosing labour and intermediate inputs (so the production-function estimators stay
    consistent: it enters LP's and ACF's first-stage error, like the iid output shock). The
    pipeline's ln TFP = ln VA - b_l l - b_k k then moves by tfp_eco per unit Eco; the truth rows
    of Table 8 are oracle values (the spec on the true ln TFP)."""
    variety_eco: float = 0.8
    """Extra products per unit Eco: an exporting firm-year offers its ``n_products`` home
    products plus Poisson(variety_eco * Eco) more of its industry's (its next preferred ones,
    up to the industry's 8), each exported with probability 0.8, so Variety rises by about
    0.8 * variety_eco per unit Eco (P1 Table 9 cols 3-4)."""
    cite_eco: float = 0.2
    """Elasticity of the mean forward citations of a firm's patents to the firm-year's Eco (P1
    Table 8 cols 5-6); citations also rise mechanically with the number of patents, and knowledge
    breadth (Table 9 cols 1-2) with the filings spread over the firm's IPC groups."""

    # --- production (P1 Table 8 TFP; SPEC section 4) -----------------------------------------
    beta_l: float = 0.5
    """Labour elasticity of real value added of an industry absent from ``industry_elasticities``:
    ln VA = b0 + beta_l l + beta_k k + omega + e (l = ln employees as written, k = ln real fixed
    assets)."""
    beta_k: float = 0.35
    """Capital elasticity of real value added of an industry absent from ``industry_elasticities``."""
    industry_elasticities: dict[str, tuple[float, float]] = field(default_factory=_industry_elasticities_default)
    """(beta_l, beta_k) of each 2-digit CIC industry (the firm-year's industry: a firm that changes
    industry changes technology). truth.csv: P1/TFP/"LP:<cic2>"|"ACF:<cic2>"/ln_l|ln_k. ``{}``: one
    technology (beta_l, beta_k) everywhere; only then does truth.csv also hold the pooled
    columns "LP" and "ACF" (with several technologies a pooled production function has no
    structural value)."""
    va_constant: float = 3.6
    """b0 of the value-added function (thousand 2004 yuan)."""
    rho_omega: float = 0.7
    """AR(1) coefficient of productivity omega_it (first-order Markov, no firm mean, as LP
    assume); omega starts from its stationary distribution in 2003."""
    sd_omega: float = 0.3
    """Stationary sd of omega_it."""
    sd_va_noise: float = 0.1
    """sd of the iid noise e_it of ln VA (unknown to the firm when choosing inputs)."""
    labour_omega: float = 0.8
    """Response of ln employees to current omega (labour is chosen knowing omega_it): OLS of
    ln VA on l is biased upwards."""
    sd_labour_shock: float = 0.12
    """sd of the persistent (AR(1), 0.5) firm-year labour shock (wages), the variation of l
    given (k, omega) that LP's first stage needs."""
    capital_rho: float = 0.8
    """Persistence of ln real capital around the firm's target; k_t = target + capital_rho
    (k_t-1 - target) + capital_omega omega_t-1 + shock_t-1: decided at t-1 (predetermined)."""
    capital_omega: float = 0.3
    """Response of next year's capital to this year's omega (investment)."""
    materials_omega: float = 1.2
    """ln real intermediate input = m0 + materials_omega omega + materials_k k (LP's proxy:
    strictly increasing in omega given k, no other shock)."""
    materials_k: float = 0.6
    """Capital elasticity of the intermediate-input demand (see ``materials_omega``)."""

    # --- quality noise ------------------------------------------------------------------------
    sd_capability: float = 0.5
    """sd of the firm's latent capability a_i (a firm fixed effect of log quality)."""
    sd_firm_year: float = 0.12
    """sd of the firm-year component of log quality (common to all products of the firm-year)."""
    sd_obs: float = 0.50
    """sd of the iid observation component of log quality."""
    sd_cell: float = 0.30
    """sd of the product x destination x year quality shock theta_jmt (absorbed by the cell FE)."""
    sd_cost_firm: float = 0.30
    """sd of the firm's cost level in the price equation."""
    sd_cost_obs: float = 0.30
    """sd of the observation cost shock in the price equation."""
    sd_demand_cell: float = 0.40
    """sd of the product x destination x year demand shifter ln(E/P) shock."""
    max_obs_value_usd: float = 2e9
    """Largest export value of one observation (firm x product x destination x mode, a year):
    the written quantity is capped at ``max_obs_value_usd / price``. The structural quantity has
    a lognormal tail (in the P2 years, whose price response to quality is weaker, a tiny world
    drew a 1.3e10 USD row and a paper-scale one would draw larger), while the largest monthly
    firm-product-destination rows of China's customs records are of the order of 1e9 USD and the
    pipeline refuses rows above ``max_row_value_usd`` = 1e10 (eq_assets/sources/rules.py). The
    latent quality (and hence every oracle truth) is not capped; the few capped rows carry a
    lower KSW quality, like any measurement error of the quantity."""
    processing_cost: float = -0.15
    """Log price shift of processing trade (imported materials, assembly) relative to general
    trade; a cost effect, not a quality effect."""

    # --- digital patents (SPEC section 4: Eco) ------------------------------------------------
    digital_firm_share_exporters: float = 0.40
    """Share of exporting survey firms that can file digital patents at all."""
    digital_firm_share_others: float = 0.15
    """Same share for non-exporting firms."""
    digital_rate_mean: float = -1.6
    """Mean of the log annual digital-patent rate of digital-capable firms in 2004."""
    digital_rate_sd: float = 0.9
    """sd of that log rate across digital-capable firms."""
    digital_trend: float = 0.06
    """Yearly growth of the log rate common to all firms (digital patenting grew quickly in
    2004-2014; the internet driver of ``pi_internet`` adds to it)."""
    rho_propensity_capability: float = 0.3
    """Correlation of the log digital rate with capability a_i (absorbed by firm FE)."""
    nondigital_firm_share: float = 0.45
    """Share of survey firms that file non-digital patents."""
    nondigital_rate_mean: float = -0.8
    """Mean log annual rate of non-digital patents for those firms in 2004."""
    nonfirm_patents_per_firm: float = 0.08
    """Patents per survey firm and year filed by universities and individuals (not survey firms)."""
    coapplicant_rate: float = 0.03
    """Share of firm patents with a university co-applicant ("firm;university")."""

    # --- firm population ------------------------------------------------------------------------
    exporter_share: float = 0.33
    """Share of survey firms that are exporters."""
    export_year_prob: float = 0.92
    """Probability that an exporter exports in a given active year."""
    nonsurvey_exporter_share: float = 0.15
    """Share of non-intermediary exporters that are not in the survey (no match possible)."""
    intermediary_ratio: float = 0.08
    """Trade intermediaries per non-intermediary exporter (never in the survey)."""
    incumbent_share: float = 0.55
    """Share of firms already active in 2004 (others enter later)."""
    survivor_share: float = 0.5
    """Share of firms still active in 2014 (others exit earlier)."""
    mover_city_rate: float = 0.03
    """Share of survey firms that move to another city once (admin code changes)."""
    mover_industry_rate: float = 0.03
    """Share of survey firms whose 4-digit industry code changes once."""
    mean_products: float = 3.0
    """Mean number of HS6 products in an exporter's portfolio (of its industry's ~8)."""
    mean_destinations: float = 5.5
    """Mean number of destinations per product beyond the first (firm-level Poisson mean)."""
    product_zipf: float = 3.0
    """Concentration of firms' product choice: products of an industry are drawn (without
    replacement) with probability proportional to rank^-product_zipf, so product x destination
    x year cells hold many firms (SPEC section 3 cells; see own_cell_share in the summary)."""
    destination_zipf: float = 2.5
    """Same for destinations (customs partners ordered by market size)."""
    destination_churn: float = 0.3
    """Scale of the yearly Gumbel noise added to a firm's persistent destination preferences
    (0: the same destinations every year)."""
    mixed_mode_share: float = 0.12
    """Share of exporters that use both general and processing trade."""
    processing_share: float = 0.12
    """Share of exporters (domestic owners) doing processing trade only (more for foreign)."""

    # --- defects (SPEC section 2: what the cleaning must handle) --------------------------------
    import_row_rate: float = 0.10
    """Import rows (进出口 = 进口) added, as a share of export shipment rows."""
    missing_key_rate: float = 0.005
    """Share of export observations whose shipment rows lose the firm name, HS code or
    destination (all rows of the observation, so surviving observations stay exact)."""
    small_obs_rate: float = 0.01
    """Share of observations with yearly value < 50 USD or quantity < 1 (replaced values)."""
    name_variant_rate: float = 0.30
    """Share of survey exporters whose customs name differs by spacing, bracket width or legal
    suffix (fixed by name normalization)."""
    hard_name_rate: float = 0.05
    """Share of survey exporters whose customs name cannot be normalized to the survey name;
    their phone and zip are identical (phone + zip fallback)."""
    customs_phone_differs: float = 0.25
    """Share of name-matchable exporters whose customs phone differs from the survey phone."""
    duplicate_row_rate: float = 0.004
    """Share of survey firm-years written twice; the copy has smaller total assets."""
    abnormal_status_rate: float = 0.01
    """Share of survey firm-years with operating status 停业/撤销/筹建 (P1 Table 5)."""
    missing_employees_rate: float = 0.01
    """Share of survey firm-years with employees left empty."""
    loss_rate: float = 0.05
    """Share of survey firm-years with a loss (total profit <= 0: Profit_rate undefined)."""

    # --- P2: e-government and export quality, 2010-2012 (SPEC sections 5 and 7) ------------------
    # Only P2's years are touched; see eq_assets/synth/p2.py for the model and the OLS-bias sign.
    p2_beta_eg: float = 1.0
    """Causal effect of a unit of the city e-government score egscore_ct (0-1) on firm log quality
    ln lambda in 2010-2012. P2's qua is min-max standardized within HS6, so the effect on qua is
    about p2_beta_eg / range_g (the truth rows are oracle values, see p2_oracle)."""
    p2_delta: dict[str, float] = field(default_factory=_p2_delta_default)
    """Extra effect of egscore on ln lambda per unit of each moderator (P2 Tables 7-9): ln lambda
    gains (egscore_ct - mean_t egscore) * delta_h * H_ih, H_ih the firm's time-invariant moderator
    (ln_assets and SA from the latent firm size, centered at p2_size_center / p2_sa_center)."""
    p2_size_center: float = 10.5
    """Centering of the latent ln total assets (thousand yuan) in the ln_assets moderator."""
    p2_sa_center: float = -2.6
    """Centering of the latent SA index moderator (-0.737 size + 0.043 size^2 - 0.040 age, size =
    latent ln assets in million yuan, age in 2011 + 1)."""
    p2_shock_quality: float = 0.4
    """Loading of the unobserved city-year shock u_ct ~ N(0,1) on firm log quality (2010-2012).
    0.4 makes the OLS bias of P2 Table 2 col. 3 measurable: +0.22 (3.3 SE) at scale small, default
    seed, on the latent panel (0.2 gave 2.4 SE)."""
    p2_shock_egscore: float = 0.09
    """Loading of u_ct on the latent e-government level (so OLS of qua on egscore is biased UP)."""
    p2_alpha_price: float = 0.0
    """Elasticity of the price to quality in 2010-2012 (replaces alpha_price there). P2's quality
    instruments the price with the firm's price of the product in other markets, valid only if
    prices carry no firm quality component; P1's KSW quality does not depend on it."""
    p2_eg_mean: float = 0.5
    """Mean latent e-government level over cities (P2 Table 1: egscore 0.110-0.853)."""
    p2_eg_city_sd: float = 0.08
    """sd of the city level mu_c of e-government (absorbed by firm FE)."""
    p2_eg_trend: float = 0.02
    """Common yearly rise of e-government scores (absorbed by year FE)."""
    p2_eg_province_year_sd: float = 0.10
    """sd of the province-year component pi_pt shared by the cities of a province: the source of
    the neighbour-city instrument's relevance (P2 Table 6 cols. 1-3)."""
    p2_words_mean: float = 14.0
    """Mean digital-economy word frequency per 10 thousand characters of the work report (P2: 0.14%)."""
    p2_words_city_sd: float = 4.0
    """sd of the city level of the word frequency."""
    p2_words_year_sd: float = 4.0
    """sd of the city-year shock of the word frequency (its within-city variation)."""
    p2_eg_words: float = 0.015
    """Effect of one word per 10k characters on e-government (P2 Table 6 col. 4, IV_int)."""
    p2_eg_rugged_domain: float = -0.35
    """Effect of ruggedness x ln(province domain count) on e-government (P2 Table 6 col. 5,
    IV_gov: flatter cities turn domain growth into more e-government)."""
    p2_eg_noise_sd: float = 0.02
    """sd of the exogenous city-year e-government noise eta_ct."""
    p2_subindex_sd: float = 0.05
    """sd of each sub-index's own city-year noise around the latent level (P2 eq. 14)."""
    p2_policy_share: float = 0.62
    """Share of cities with local e-government policies in the PKU Law list (P2: 177 of ~285
    prefecture cities in 2010-2012)."""
    p2_policy_year_prob: float = 0.35
    """Probability that a listed city issues policies in a given year of 2006-2014 (at least one year)."""
    p2_fdi_eg: float = 1.5
    """Effect of egscore (deviation from the year mean over cities) on the city's ln FDI in
    2010-2012 (P2 Table 10 col. 3's channel: e-government attracts foreign investment)."""
    p2_fdi_quality: float = 0.1
    """Effect of the city's ln FDI (deviation from the year mean) on firm log quality, 2010-2012."""
    p2_innov_mean: float = 45.0
    """Mean city patent-application score of the innovation index (0-100)."""
    p2_innov_city_sd: float = 15.0
    """sd of the city level of that score (absorbed by firm FE)."""
    p2_innov_trend: float = 1.5
    """Common yearly rise of the score (absorbed by year FE)."""
    p2_innov_noise_sd: float = 3.0
    """sd of the score's own city-year noise."""
    p2_innov_eg: float = 30.0
    """Effect of egscore (deviation from the year mean) on the city's score (P2 Table 10 col. 4's
    channel: e-government leads firms' innovation)."""
    p2_innov_quality: float = 0.005
    """Effect of one score point (deviation from the year mean) on firm log quality, 2010-2012."""

    # ------------------------------------------------------------------------------------------
    def __post_init__(self) -> None:
        if self.sigma <= 1:
            raise ValueError(f"sigma must exceed 1; got {self.sigma}")
        if set(self.beta_parts) != set(ECO_PARTS):
            raise ValueError(f"beta_parts needs exactly {ECO_PARTS}; got {sorted(self.beta_parts)}")
        if set(self.gamma) != set(CONTROL_NAMES):
            raise ValueError(f"gamma needs exactly the controls {CONTROL_NAMES}; got {sorted(self.gamma)}")
        if set(self.p2_delta) != set(P2_MODERATORS):  # P2:
            raise ValueError(f"p2_delta needs exactly the moderators {P2_MODERATORS}; got {sorted(self.p2_delta)}")
        for code, pair in self.industry_elasticities.items():
            if not (isinstance(code, str) and len(code) == 2 and code.isdigit()) or len(tuple(pair)) != 2:
                raise ValueError(f"industry_elasticities needs 2-digit CIC codes -> (beta_l, beta_k); got {code!r}: {pair!r}")
        if self.n_survey_firms < 50:
            raise ValueError("n_survey_firms must be at least 50")

    @classmethod
    def for_scale(cls, scale: str = "small", seed: int = 20240801, **overrides) -> "WorldParams":
        """Parameters for a named scale; ``overrides`` replace any field (unknown names raise)."""
        if scale not in SCALE_PRESETS:
            raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(SCALE_PRESETS)}")
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - names)
        if unknown:
            raise TypeError(f"unknown WorldParams field(s): {unknown}")
        base = cls(seed=seed, scale=scale, n_survey_firms=SCALE_PRESETS[scale])
        return replace(base, **overrides)

    def to_dict(self) -> dict:
        return asdict(self)
