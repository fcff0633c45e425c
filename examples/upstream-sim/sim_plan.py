"""What the administrator's analysts did with the reports of the story (GET /_story).

Validations, rejections and exemptions are riskcap's own records, not upstream data, so the
simulator cannot serve them as a feed; `scripts/run` applies this plan through the `riskcap` CLI
on a fresh demo store. Decisions concern each fund's latest report on or before as-of.
"""

import sim_calendar as cal

REJECT_REASONS = (
    "offshore margin missing for the fund's offshore holdings",
    "methodology does not cover the swap book",
    "figures do not match the positions of the reference date",
)
IMPLAUSIBLE_REASON = "local margin far below the schedule benchmark of the OTC book; resubmit"


def request_id(universe, i, day):
    return "sim-s%d-r%d-f%d-%s" % (universe.seed, universe.revision, universe.fund_id(i),
                                   day.isoformat())


def decide(story, i):
    """'validate', 'reject' or None (left awaiting review) for fund i's latest report."""
    role = story.role(i)
    if role == "implausible":
        return "reject"
    if role.startswith("breach") or role == "critical":
        return None  # just arrived: the analyst has not looked yet
    if role.startswith("warning") or role == "lapsed":
        return "validate"
    draw = story.srng("decision", i).random()
    return "validate" if draw < 0.65 else "reject" if draw < 0.73 else None


def analyst_plan(universe):
    story, as_of = universe.story, universe.as_of
    plan = {"as_of": as_of.isoformat(), "validate": [], "reject": [], "exempt": []}
    for i in range(1, universe.funds):  # fund 0 is the README tour's: left to the reader
        last = story.last_report_on_or_before(i, as_of)
        if last is None:
            continue
        decision = decide(story, i)
        if decision == "validate":
            plan["validate"].append(request_id(universe, i, last))
        elif decision == "reject":
            reason = IMPLAUSIBLE_REASON if story.role(i) == "implausible" else \
                REJECT_REASONS[story.srng("reason", i).randrange(len(REJECT_REASONS))]
            plan["reject"].append({"request_id": request_id(universe, i, last),
                                   "reason": reason})
    never = sorted(i for i, role in story.roles.items() if role == "never")
    for i in never[:len(never) // 3]:  # the rest stay NEVER_SUBMITTED
        plan["exempt"].append({
            "fund_id": universe.fund_id(i),
            "from": cal.add_days(as_of, -60).isoformat(),
            "to": cal.add_days(as_of, 120).isoformat(),
            "reason": "fund in liquidation: OTC book closed, nothing to report"})
    return plan
