"""One fund's positions on one date, consistent with its NAV, class and reported margin.

Holdings (bonds, shares, deposits), offshore fund shares and foreign assets add up to about the
NAV; OTC options and swaps carry notionals sized so that the BCBS-IOSCO schedule margin of the
book is in line with the local margin the manager reports (far above it for the story's
"implausible margin" funds), and small mark-to-market values.
"""

import sim_calendar as cal
import sim_names as names
from sim_universe import ASSET_CLASSES, COLUMNS, SCHEDULE_RATES, money

OFFSHORE_ALLOCATION = 0.2  # share of NAV in offshore funds, when the fund holds any
FOREIGN_ALLOCATION = 0.04
CODES = {"OTC_OPTION": "OPC", "OTC_SWAP": "SWP", "OFFSHORE_FUND": "OFF",
         "FOREIGN_INVESTMENT": "EXT", "OTHER": "ATV"}


def bucket(years):
    return 0 if years <= 2 else 1 if years <= 5 else 2


class FundBook:
    def __init__(self, universe, i, day, date, row_kinds):
        self.u, self.i, self.day, self.date, self.kinds = universe, i, day, date, row_kinds
        story = universe.story
        self.r = universe.rng("pos", i, date)
        nav = story.close_cents(i, day)
        # A wiped-out fund still holds assets (against its liabilities).
        self.nav = max(nav, story.base_nav(i) * 0.05)
        self.count = {k: row_kinds.count(k) for k in set(row_kinds)}
        allocated = 0.0
        if "OFFSHORE_FUND" in self.count:
            allocated += OFFSHORE_ALLOCATION
        if "FOREIGN_INVESTMENT" in self.count:
            allocated += FOREIGN_ALLOCATION
        self.holdings_share = 1.0 - allocated
        self.schedule_gross = self._schedule_gross(story)
        risky = [j for j, k in enumerate(row_kinds)
                 if k in ("OTC_OPTION", "OTC_SWAP") and j % 4 != 3]
        self.otc_weight = 1.0 / max(1, len(risky))

    def _schedule_gross(self, story):
        """Schedule margin the OTC book should carry: the local margin over a coverage ratio."""
        normal, _ = story.utilisation_target(self.i)
        ex_share = story.srng("exshare", self.i).uniform(0.15, 0.45)
        local_ratio = normal * (1 - ex_share) * (1 - story.offshore_share(self.i))
        coverage = story.srng("coverage", self.i).uniform(0.9, 1.6)
        if story.role(self.i) == "implausible":
            coverage = story.srng("coverage", self.i).uniform(0.05, 0.12)
            local_ratio *= 1 / coverage  # the book is big; the report is what is off
            coverage = 1.0
        return self.nav * local_ratio / coverage

    def row(self, j):
        kind = self.kinds[j]
        row = dict.fromkeys(COLUMNS["positions"])
        row.update({"fund_id": self.u.fund_id(self.i), "position_date": self.date,
                    "classification": kind, "currency": "BRL"})
        if kind == "OTHER":
            self._holding(j, row)
        elif kind == "OFFSHORE_FUND":
            self._fund_share(j, row, names.OFFSHORE_FUNDS, "COTA_EXT",
                             OFFSHORE_ALLOCATION / self.count[kind])
        elif kind == "FOREIGN_INVESTMENT":
            self._fund_share(j, row, names.FOREIGN_ASSETS, "BDR",
                             FOREIGN_ALLOCATION / self.count[kind])
        else:
            self._otc(j, kind, row)
        row["asset_type_description"] = names.ASSET_TYPES[row["asset_type_code"]]
        return row

    def _holding(self, j, row):
        nickname, type_code, isin, price = names.HOLDINGS[(self.i * 7 + j) % len(names.HOLDINGS)]
        price = max(1, int(price * self.r.uniform(0.97, 1.03)))
        value = self.nav * self.holdings_share / self.count["OTHER"] * self.r.uniform(0.9, 1.1)
        qty = max(1, int(value / price))
        row.update({"asset_nickname": nickname, "isin": isin,
                    "asset_code": "%s%05d%04d" % (type_code[:3], self.i, j),
                    "asset_type_code": type_code, "quantity": str(qty), "price": money(price),
                    "notional": money(qty * price), "market_value": money(qty * price)})

    def _fund_share(self, j, row, choices, type_code, share):
        name = choices[(self.i + j) % len(choices)]
        price = self.u.story.srng("cota", self.i, j).randrange(1000, 50000)
        qty = max(1, int(self.nav * share / price))
        row.update({"asset_nickname": name, "isin": "KYSIM%07d" % ((self.i * 31 + j) % 10 ** 7),
                    "asset_code": "%s%05d%04d" % (CODES[row["classification"]], self.i, j),
                    "asset_type_code": type_code, "quantity": str(qty), "price": money(price),
                    "notional": money(qty * price), "market_value": money(qty * price)})

    def _otc(self, j, kind, row):
        srng = self.u.story.srng("trade", self.i, j)  # a trade's terms do not change daily
        asset_class = ASSET_CLASSES[(self.i + j) % 5]
        what, underlying = names.OTC_UNDERLYINGS[asset_class]
        start = cal.add_days(self.day, -srng.randrange(20, 700))
        end = cal.add_days(self.day, srng.randrange(60, 3000))
        rate = SCHEDULE_RATES[asset_class][bucket((end - self.day).days / 365.25)]
        notional = self.schedule_gross * self.otc_weight / rate * self.r.uniform(0.95, 1.05)
        long = j % 2 == 1
        if kind == "OTC_OPTION":
            under = max(1, int(underlying * self.r.uniform(0.97, 1.03)))
            qty = max(1, int(notional / under))
            premium = max(1, int(under * srng.uniform(0.01, 0.06)))
            mv = qty * premium * (1 if long else -1)
            row.update({"asset_nickname": "Opção %s %s %s" % ("compra" if long else "venda",
                                                              what, end.strftime("%m/%Y")),
                        "quantity": str(qty if long else -qty), "price": money(premium),
                        "notional": money(qty * under), "market_value": money(mv)})
        else:
            cents = int(notional)
            mv = int(cents * self.r.uniform(-0.03, 0.03))
            row.update({"asset_nickname": "Swap %s %s" % (what, end.strftime("%m/%Y")),
                        "quantity": "1", "price": money(cents), "notional": money(cents),
                        "market_value": money(mv), "asset_leg_balance": money(cents + mv),
                        "liability_leg_balance": money(cents)})
        row.update({"isin": "", "asset_code": "%s%05d%04d" % (CODES[kind], self.i, j),
                    "asset_type_code": "OPC_BALCAO" if kind == "OTC_OPTION" else "SWAP"})
        if j % 4 != 3:  # 3 in 4 OTC rows carry the risk fields
            row.update({"otc_asset_class": asset_class, "start_date": start.isoformat(),
                        "end_date": end.isoformat(), "direction": "LONG" if long else "SHORT"})
            if kind == "OTC_OPTION":
                row["option_type"] = "CALL" if long else "PUT"
                row["underlying_price"] = round(under / 100, 2)
                row["strike"] = round(under / 100 * srng.uniform(0.85, 1.15), 4)

