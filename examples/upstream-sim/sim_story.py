"""The story the simulated upstream tells: who each fund is, how its NAV walks, when its manager
reports, and which funds are in trouble on the story date ("as of").

Everything is a pure function of (seed, fund count, as-of date) — and of the revision for the
values, never for the structure — so any date's payload is reproducible on its own.
"""

import math
import random

import sim_calendar as cal

CLASSES = ("MULTIMERCADO", "ACOES", "RENDA_FIXA", "CAMBIAL", "FIDC", "FII", "MULTIMERCADO")
AUDIENCES = ("GENERAL", "QUALIFIED", "PROFESSIONAL")
# Regulatory caps (share of NAV) the server applies by default; FIDC and FII have none.
CAPS = {"MULTIMERCADO": 0.70, "ACOES": 0.40, "RENDA_FIXA": 0.20, "CAMBIAL": 0.40}
# Daily NAV volatility by class: |daily change| stays under 3% on all but rare days.
DAILY_VOL = {"MULTIMERCADO": 0.005, "ACOES": 0.011, "RENDA_FIXA": 0.0015, "CAMBIAL": 0.008,
             "FIDC": 0.001, "FII": 0.006}
NAV_FALL_DAYS = 20  # business days over which a "NAV fall" story unfolds before as-of
CRITICAL_DAYS = 8
WALK_CHUNK = 64  # business days over which the critical fund's NAV is wiped out

# Roles of the story, in the order they are handed out (a fund gets at most one).
# (role, share of candidates, minimum count, needs a cap)
ROLES = (
    ("critical", 0.0, 1, True),
    ("breach_margin", 0.015, 1, True),
    ("breach_nav", 0.015, 1, True),
    ("warning_margin", 0.02, 1, True),
    ("warning_nav", 0.02, 1, True),
    ("never", 0.05, 1, False),
    ("lapsed", 0.06, 1, False),
    ("implausible", 0.03, 1, False),
)


class Story:
    def __init__(self, seed, funds, as_of, revision=0):
        self.seed, self.funds, self.as_of, self.revision = seed, funds, as_of, revision
        self.as_of_index = cal.index(as_of)
        self.managers = max(1, funds // 10)
        self._walks = {}
        self._schedules = {}
        self._report_sets = {}
        self.roles = self._assign_roles()

    # ---- randomness: structure (seed only) and values (seed and revision) ----

    def srng(self, *parts):
        return random.Random(":".join(str(p) for p in (self.seed, "story") + parts))

    def rng(self, *parts):
        return random.Random(":".join(str(p) for p in (self.seed, self.revision) + parts))

    # ---- who each fund is ----

    def fund_class(self, i):
        return CLASSES[i % len(CLASSES)]

    def audience(self, i):
        return AUDIENCES[i % 3]

    def manager_of(self, i):
        return 1 + i % self.managers

    def exposure(self, i):
        """(otc_options, swaps, offshore) flags of fund index i."""
        return i % 3 == 0, i % 4 == 0, i % 5 == 0

    def exposed(self, i):
        return any(self.exposure(i))

    def cap(self, i):
        cap = CAPS.get(self.fund_class(i))
        if cap is not None and i % 11 == 0:
            cap = min(cap, 0.5)  # bylaws cap (a higher one would not bind)
        return cap

    def bylaws_cap(self, i):
        return 0.5 if i % 11 == 0 else None

    def period(self, i):
        """Reporting period in days (the server's default periodicity)."""
        otc, swap, off = self.exposure(i)
        days = []
        if otc or swap:
            days.append({"GENERAL": 7, "QUALIFIED": 30, "PROFESSIONAL": 90}[self.audience(i)])
        if off:
            days.append(30)
        return min(days)

    def role(self, i):
        return self.roles.get(i, "normal")

    def _assign_roles(self):
        # Fund 0 is the README tour's fund: it stays an ordinary, punctual one.
        exposed = [i for i in range(1, self.funds) if self.exposed(i)]
        order = self.srng("roles").sample(exposed, len(exposed))
        roles = {}
        for role, share, minimum, needs_cap in ROLES:
            want = max(minimum, int(round(share * len(exposed)))) if len(exposed) >= 8 else 0
            if role == "critical":
                pool = [i for i in order if i not in roles
                        and self.fund_class(i) == "MULTIMERCADO"]
            else:
                pool = [i for i in order if i not in roles
                        and (not needs_cap or self.cap(i) is not None)]
            for i in pool[:want]:
                roles[i] = role
        return roles

    def punctuality(self, manager):
        """'punctual' (reports before the due date), 'late' or 'erratic'."""
        if manager == 1:
            return "punctual"
        draw = self.srng("manager", manager).random()
        return "punctual" if draw < 0.6 else "late" if draw < 0.9 else "erratic"

    # ---- NAV ----

    def base_nav(self, i):
        """Cents: 20 million to 3 billion, log-uniform (FIDCs and FIIs smaller)."""
        r = self.srng("base", i)
        top = 1.5e9 if self.fund_class(i) in ("FIDC", "FII") else 3e9
        return math.exp(r.uniform(math.log(2e7), math.log(top))) * 100

    def _walk(self, i, n):
        """Cumulative log-return of fund i after n business days from EPOCH (n may be < 0).
        Steps are drawn in fixed chunks, each from its own seed, so a value never depends on
        which dates were asked for before."""
        forward = n >= 0
        steps = self._walks.setdefault((i, forward), [0.0])
        vol = DAILY_VOL[self.fund_class(i)]
        drift = vol * vol * 0.3
        while len(steps) <= abs(n):
            r = self.rng("walk", i, forward, len(steps))
            for _ in range(WALK_CHUNK):
                steps.append(steps[-1] + r.gauss(drift, vol))
        return steps[abs(n)] if forward else -steps[abs(n)]

    def _story_factor(self, i, n):
        role = self.role(i)
        if role in ("breach_nav", "warning_nav"):
            drop = 0.30 if role == "breach_nav" else 0.18
            done = min(1.0, max(0.0, (n - (self.as_of_index - NAV_FALL_DAYS)) / NAV_FALL_DAYS))
            return math.exp(math.log(1 - drop) * done)
        return 1.0

    def close_cents(self, i, day):
        """Closing NAV in cents on `day` (a weekend day: the Friday before)."""
        n = cal.index(day)
        nav = self.base_nav(i) * math.exp(self._walk(i, n)) * self._story_factor(i, n)
        if self.role(i) == "critical":
            # A counterparty default on the fund's swap book wipes it out over a few days.
            done = (n - (self.as_of_index - CRITICAL_DAYS)) / CRITICAL_DAYS
            if done > 0:
                nav *= 1 - 1.02 * min(1.0, done)
        return int(round(nav))

    def opening_cents(self, i, day):
        return self.close_cents(i, cal.previous(day))

    # ---- margin: how much of the NAV the fund's risk consumes ----

    def utilisation_target(self, i):
        """Gross margin / NAV the fund runs at in normal times, and on as-of."""
        r = self.srng("util", i)
        cap = self.cap(i)
        normal = (cap * r.uniform(0.15, 0.6)) if cap else r.uniform(0.03, 0.25)
        role = self.role(i)
        if role.startswith("breach"):
            return normal, cap * r.uniform(1.06, 1.35)
        if role.startswith("warning"):
            return normal, cap * r.uniform(0.84, 0.96)
        return normal, normal

    def exchange_pct(self, i, day):
        """Exchange (CCP) margin as a fraction of NAV, from the NAV snapshot."""
        normal, _ = self.utilisation_target(i)
        share = self.srng("exshare", i).uniform(0.15, 0.45)
        jitter = self.rng("ex", i, day.isoformat()).uniform(0.95, 1.05)
        return round(normal * share * jitter, 6)

    def offshore_share(self, i):
        otc, swap, off = self.exposure(i)
        if not off:
            return 0.0
        return 0.25 if (otc or swap) else 1.0

    def manager_margin_cents(self, i, day):
        """The manager's margin (local + offshore) reported for `day`."""
        normal, target = self.utilisation_target(i)
        ex_share = self.srng("exshare", i).uniform(0.15, 0.45)
        noise = self.rng("margin", i, day.isoformat()).uniform(0.93, 1.07)
        if day == self.last_report_on_or_before(i, self.as_of) and target != normal:
            # The story's report: what puts the fund where it is on as-of.
            as_of_nav = self.close_cents(i, self.as_of)
            return max(0, int((target - self.exchange_pct(i, self.as_of)) * as_of_nav))
        ratio = normal * (1 - ex_share)
        if self.role(i) in ("breach_nav", "warning_nav"):
            ratio = target * (1 - ex_share) * (0.70 if self.role(i) == "breach_nav" else 0.82)
        return max(0, int(ratio * noise * max(self.close_cents(i, day), 0)))

    # ---- when each fund reports ----

    def report_dates(self, i):
        """Sorted reference dates of fund i's reports around as-of (fund 0 aside)."""
        if i in self._schedules:
            return self._schedules[i]
        dates = []
        role = self.role(i)
        if self.exposed(i) and role != "never":
            dates = self._schedule(i)
        if role == "lapsed":
            stop = cal.add_days(self.as_of, -int(self.period(i) * self.srng("lapse", i)
                                                 .uniform(1.4, 3.0)))
            dates = [d for d in dates if d <= stop]
        self._schedules[i] = dates
        return dates

    def _schedule(self, i):
        r = self.srng("schedule", i)
        period = self.period(i)
        style = self.punctuality(self.manager_of(i))
        day = cal.on_or_before(cal.add_days(self.as_of, -380 + r.randrange(period)))
        end = cal.add_days(self.as_of, 45)
        dates = []
        while day <= end:
            dates.append(day)
            gap = period - r.randrange(0, 3)  # punctual: on or a little before the due date
            if style == "late" and r.random() < 0.5:
                gap = period + r.randrange(1, 13)
            elif style == "erratic" and r.random() < 0.3:
                gap = period + r.randrange(10, 45)
            day = cal.add_days(day, gap)
            while not cal.is_business_day(day):
                day = cal.add_days(day, 1 if style != "punctual" else -1)
        # The story funds report on time around as-of, so the story is what shows.
        if role_needs_recent_report(self.role(i)):
            dates = [d for d in dates if d < cal.add_days(self.as_of, -period // 2)]
            dates.append(cal.on_or_before(cal.add_days(self.as_of, -min(3, period // 3))))
        return dates

    def last_report_on_or_before(self, i, day):
        last = None
        for d in self.report_dates(i):
            if d > day:
                break
            last = d
        return last

    def reports_on(self, i, day):
        if i == 0:
            return True  # manager 1's flagship reports every day, weekends included
        if i not in self._report_sets:
            self._report_sets[i] = set(self.report_dates(i))
        return day in self._report_sets[i]


def role_needs_recent_report(role):
    return role in ("critical", "breach_margin", "breach_nav", "warning_margin", "warning_nav",
                    "implausible")
