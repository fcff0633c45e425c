"""The simulated upstream's datasets: rows of every feed for a date, generated from the story.

Each gen_* method yields dicts of file values (enum names without their proto prefix); the
column order of each dataset is COLUMNS. A weekend date serves the Friday before's figures
(the latest available), dated as asked; NAV history has business days only.
"""

import datetime

import sim_calendar as cal
import sim_names as names
from sim_story import Story

DATASETS = ("managers", "funds", "nav_snapshot", "nav_history", "positions", "swaps",
            "margin_reports")
ASSET_CLASSES = ("IR", "FX", "CREDIT", "EQUITY", "COMMODITY")
FUND_ID_BASE = 1000
# BCBS-IOSCO schedule rates by asset class, per residual-maturity bucket (0-2, 2-5, 5+ years).
SCHEDULE_RATES = {"IR": (0.01, 0.02, 0.04), "CREDIT": (0.02, 0.05, 0.10), "FX": (0.06,) * 3,
                  "EQUITY": (0.15,) * 3, "COMMODITY": (0.15,) * 3}

# Column order of each dataset (the proto's scalar fields, snake_case).
COLUMNS = {
    "managers": ("manager_id", "name", "tax_id"),
    "funds": ("fund_id", "name", "tax_id", "manager_id", "regulatory_class", "target_audience",
              "bylaws_margin_cap", "base_currency", "active"),
    "nav_snapshot": ("fund_id", "position_date", "nav", "exchange_margin_pct",
                     "derivatives_exposure", "derivatives_exposure_pct", "derivatives_at_risk",
                     "derivatives_at_risk_pct", "liquidity_ratio", "var_95", "var_99",
                     "stress_bull", "stress_bear", "return_day", "return_month", "return_year",
                     "criticality_class"),
    "nav_history": ("fund_id", "nav_date", "opening_nav", "closing_nav"),
    "positions": ("fund_id", "position_date", "asset_nickname", "isin", "asset_code",
                  "asset_type_code", "asset_type_description", "classification", "quantity",
                  "price", "notional", "market_value", "asset_leg_balance",
                  "liability_leg_balance", "otc_asset_class", "start_date", "end_date",
                  "direction", "option_type", "strike", "underlying_price", "currency"),
    "margin_reports": ("request_id", "fund_id", "reference_date", "local_margin",
                       "offshore_margin", "methodology"),
}
COLUMNS["swaps"] = COLUMNS["positions"]
# Repeated fields, written in JSON only (a CSV cell holds one value).
JSON_ONLY_COLUMNS = {"managers": ("contact_emails",)}


def cnpj(root, branch=1):
    """A valid CNPJ (14 digits) for an 8-digit root and a 4-digit branch."""
    digits = "%08d%04d" % (root % 100000000, branch % 10000)
    for n in (12, 13):
        weight, total = n - 7, 0
        for i in range(n):
            total += int(digits[i]) * weight
            weight = 9 if weight == 2 else weight - 1
        rest = total % 11
        digits += str(0 if rest < 2 else 11 - rest)
    return digits


def money(cents):
    cents = int(cents)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return "%s%d.%02d" % (sign, cents // 100, cents % 100)


class Universe:
    """Everything generated from (seed, funds, positions, revision, as-of)."""

    def __init__(self, seed, funds, positions, revision=0, as_of=None):
        self.seed, self.funds, self.revision = seed, funds, revision
        self.positions = positions if positions is not None else funds * 8
        today = datetime.datetime.now(datetime.timezone.utc).date()
        self.as_of = as_of or cal.on_or_before(today)
        self.story = Story(seed, funds, self.as_of, revision)
        self.managers = self.story.managers

    def set_revision(self, revision):
        self.revision = revision
        self.story = Story(self.seed, self.funds, self.as_of, revision)

    def rng(self, *parts):
        return self.story.rng(*parts)

    def fund_id(self, i):
        return FUND_ID_BASE + i

    def kinds(self, i):
        otc, swap, off = self.story.exposure(i)
        kinds = ["OTHER", "OTHER"]
        if otc:
            kinds.append("OTC_OPTION")
        if swap:
            kinds.append("OTC_SWAP")
        if off:
            kinds.append("OFFSHORE_FUND")
        if i % 7 == 0:
            kinds.append("FOREIGN_INVESTMENT")
        return kinds

    def rows_of_fund(self, i):
        base, extra = divmod(self.positions, self.funds)
        return base + (1 if i < extra else 0)

    # ---- registry ----

    def manager_row(self, m):
        stem = names.MANAGER_STEMS[(m - 1) % len(names.MANAGER_STEMS)]
        suffix = names.MANAGER_SUFFIXES[(m - 1) // len(names.MANAGER_STEMS)
                                        % len(names.MANAGER_SUFFIXES)]
        series = (m - 1) // (len(names.MANAGER_STEMS) * len(names.MANAGER_SUFFIXES))
        name = "%s %s%s" % (stem, suffix, " %d" % (series + 1) if series else "")
        return {"manager_id": m, "name": name, "tax_id": cnpj(10000000 + m),
                "contact_emails": ["risk@manager-%03d.example.com" % m]}

    def gen_managers(self, date):
        for m in range(1, self.managers + 1):
            yield self.manager_row(m)

    def fund_name(self, i):
        cls = self.story.fund_class(i)
        manager = self.manager_row(self.story.manager_of(i))["name"].split(" ")[0]
        themes = names.CLASS_THEMES[cls]
        theme = themes[(i // 7) % len(themes)]
        series = i // self.managers  # the manager's n-th fund of this name
        numeral = ("", " II", " III", " IV", " V", " VI", " VII", " VIII", " IX", " X")
        suffix = numeral[series] if series < len(numeral) else " %d" % (series + 1)
        return "%s %s%s %s" % (manager, theme, suffix, names.CLASS_ENDINGS[cls])

    def gen_funds(self, date):
        for i in range(self.funds):
            yield {"fund_id": self.fund_id(i), "name": self.fund_name(i),
                   "tax_id": cnpj(20000000 + i), "manager_id": self.story.manager_of(i),
                   "regulatory_class": self.story.fund_class(i),
                   "target_audience": self.story.audience(i),
                   "bylaws_margin_cap": self.story.bylaws_cap(i), "base_currency": "BRL",
                   "active": True}

    # ---- NAV ----

    def nav_cents(self, i, date):
        return self.story.close_cents(i, cal.parse(date))

    def returns(self, i, day):
        close = self.story.close_cents(i, day)
        def since(before):
            ref = self.story.close_cents(i, before)
            return round(close / ref - 1, 6) if ref > 0 and close > 0 else 0.0
        month_start = cal.on_or_before(cal.add_days(day.replace(day=1), -1))
        year_start = cal.on_or_before(cal.add_days(day.replace(month=1, day=1), -1))
        return since(cal.previous(day)), since(month_start), since(year_start)

    def gen_nav_snapshot(self, date):
        day = cal.parse(date)
        for i in range(self.funds):
            r = self.rng("snap", i, date)
            nav = self.story.close_cents(i, day)
            base = max(nav, 1)
            otc, swap, _ = self.story.exposure(i)
            dexp = int(base * r.uniform(0.4, 1.6)) if (otc or swap) else 0
            drisk = int(dexp * r.uniform(0.05, 0.2))
            vol = self.story_vol(i)
            ret_day, ret_month, ret_year = self.returns(i, day)
            yield {"fund_id": self.fund_id(i), "position_date": date, "nav": money(nav),
                   "exchange_margin_pct": self.story.exchange_pct(i, day),
                   "derivatives_exposure": money(dexp),
                   "derivatives_exposure_pct": round(dexp / base, 6),
                   "derivatives_at_risk": money(drisk),
                   "derivatives_at_risk_pct": round(drisk / base, 6),
                   "liquidity_ratio": round(r.uniform(0.8, 3), 6),
                   "var_95": round(1.645 * vol, 6), "var_99": round(2.326 * vol, 6),
                   "stress_bull": round(8 * vol, 6), "stress_bear": round(-15 * vol, 6),
                   "return_day": ret_day, "return_month": ret_month, "return_year": ret_year,
                   "criticality_class": "HIGH" if nav <= 0 else
                   ("MEDIUM" if vol > 0.007 else "LOW")}

    def story_vol(self, i):
        from sim_story import DAILY_VOL
        return DAILY_VOL[self.story.fund_class(i)]

    def gen_nav_history(self, date, to_date=None):
        day = cal.parse(date)
        last = cal.parse(to_date) if to_date else day
        while day <= last:
            if cal.is_business_day(day):
                d = day.isoformat()
                for i in range(self.funds):
                    yield {"fund_id": self.fund_id(i), "nav_date": d,
                           "opening_nav": money(self.story.opening_cents(i, day)),
                           "closing_nav": money(self.story.close_cents(i, day))}
            day += datetime.timedelta(days=1)

    # ---- positions ----

    def position_rows(self, date, want_swaps):
        """The positions (want_swaps False) or the swap rows (True) of `date`."""
        from sim_positions import FundBook
        day = cal.parse(date)
        for i in range(self.funds):
            kinds = self.kinds(i)
            row_kinds = [kinds[j % len(kinds)] for j in range(self.rows_of_fund(i))]
            if want_swaps and "OTC_SWAP" not in row_kinds:
                continue
            book = FundBook(self, i, day, date, row_kinds)
            for j, kind in enumerate(row_kinds):
                if (kind == "OTC_SWAP") == want_swaps:
                    yield book.row(j)

    def gen_positions(self, date):
        return self.position_rows(date, want_swaps=False)

    def gen_swaps(self, date):
        return self.position_rows(date, want_swaps=True)

    # ---- margin reports ----

    def margin_report(self, i, day):
        story = self.story
        total = story.manager_margin_cents(i, day)
        offshore = int(total * story.offshore_share(i))
        local = total - offshore
        methodology = names.METHODOLOGIES[self.story.srng("method", i).randrange(
            len(names.METHODOLOGIES))]
        date = day.isoformat()
        return {"request_id": "sim-s%d-r%d-f%d-%s" % (self.seed, self.revision,
                                                      self.fund_id(i), date),
                "fund_id": self.fund_id(i), "reference_date": date,
                "local_margin": money(local), "offshore_margin": money(offshore),
                "methodology": "%s (rev %d)" % (methodology, self.revision)
                               if self.revision else methodology}

    def gen_margin_reports(self, date):
        day = cal.parse(date)
        for i in range(self.funds):
            if self.story.exposed(i) and self.story.reports_on(i, day):
                yield self.margin_report(i, day)

    def rows(self, dataset, date, to_date=None):
        if dataset == "nav_history":
            return self.gen_nav_history(date, to_date)
        return getattr(self, "gen_" + dataset)(date)
