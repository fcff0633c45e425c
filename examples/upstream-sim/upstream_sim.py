#!/usr/bin/python3
"""Simulated upstream for riskcap: deterministic generic sample payloads over HTTP, or as files.

Python 3 standard library only. The same seed, size, revision and date always give byte-identical
payloads; another --revision changes the values (not the row counts), so tests can produce
"changed inputs". Rows follow docs/sources.md and the shared formats: JSON {"rows": [...]} with
snake_case riskcap.v1 proto field names and enums by name; CSV with a header of those names.

  upstream_sim.py serve --port 0 --seed 7 --funds 300 [--positions N] [--revision R]
                        [--token T] [--fault PATH:MODE[:TIMES]]...
  upstream_sim.py write-files --dir D --date YYYY-MM-DD --funds N --positions M [--format both]

See README.md in this folder for the endpoints and fault injection.
"""

import argparse
import datetime
import json
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

DATASETS = ("managers", "funds", "nav_snapshot", "nav_history", "positions", "swaps",
            "margin_reports")
CLASSES = ("MULTIMERCADO", "ACOES", "RENDA_FIXA", "CAMBIAL", "FIDC", "FII", "MULTIMERCADO")
AUDIENCES = ("GENERAL", "QUALIFIED", "PROFESSIONAL")
ASSET_CLASSES = ("IR", "FX", "CREDIT", "EQUITY", "COMMODITY")
FUND_ID_BASE = 1000

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
                  "asset_type_code", "classification", "quantity", "price", "notional",
                  "market_value", "asset_leg_balance", "liability_leg_balance", "otc_asset_class",
                  "start_date", "end_date", "direction", "option_type", "strike",
                  "underlying_price", "currency"),
    "margin_reports": ("request_id", "fund_id", "reference_date", "local_margin",
                       "offshore_margin", "methodology"),
}
COLUMNS["swaps"] = COLUMNS["positions"]
# Repeated fields, written in JSON only (a CSV cell holds one value).
JSON_ONLY_COLUMNS = {"managers": ("contact_emails",)}
# Enum columns: generated as the short name; written (JSON and CSV) as the proto's full name.
ENUM_PREFIX = {
    "regulatory_class": "REGULATORY_CLASS_", "target_audience": "TARGET_AUDIENCE_",
    "classification": "POSITION_CLASSIFICATION_", "otc_asset_class": "OTC_ASSET_CLASS_",
    "direction": "TRADE_DIRECTION_", "option_type": "OPTION_TYPE_",
}
NUMBER_COLUMNS = {"manager_id", "fund_id", "bylaws_margin_cap", "exchange_margin_pct",
                  "derivatives_exposure_pct", "derivatives_at_risk_pct", "liquidity_ratio",
                  "var_95", "var_99", "stress_bull", "stress_bear", "return_day", "return_month",
                  "return_year", "strike", "underlying_price"}
BOOL_COLUMNS = {"active"}


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
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return "%s%d.%02d" % (sign, cents // 100, cents % 100)


class Universe:
    """Everything generated from (seed, funds, positions, revision)."""

    def __init__(self, seed, funds, positions, revision=0):
        self.seed, self.funds, self.revision = seed, funds, revision
        self.positions = positions if positions is not None else funds * 8
        self.managers = max(1, funds // 10)

    def rng(self, *parts):
        return random.Random(":".join(str(p) for p in (self.seed, self.revision) + parts))

    def fund_id(self, i):
        return FUND_ID_BASE + i

    def exposure(self, i):
        """(otc_options, swaps, offshore) flags of fund index i."""
        return i % 3 == 0, i % 4 == 0, i % 5 == 0

    def kinds(self, i):
        otc, swap, off = self.exposure(i)
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

    # ---- datasets: each yields dicts of file values (enum names without prefix) ----

    def gen_managers(self, date):
        for m in range(1, self.managers + 1):
            yield {"manager_id": m, "name": "Sample Manager %03d" % m,
                   "tax_id": cnpj(10000000 + m),
                   "contact_emails": ["risk@manager-%03d.example.com" % m]}

    def gen_funds(self, date):
        for i in range(self.funds):
            cls = CLASSES[i % len(CLASSES)]
            yield {"fund_id": self.fund_id(i), "name": "Sample Fund %05d %s" % (i, cls.title()),
                   "tax_id": cnpj(20000000 + i), "manager_id": 1 + i % self.managers,
                   "regulatory_class": cls, "target_audience": AUDIENCES[i % 3],
                   "bylaws_margin_cap": 0.5 if i % 11 == 0 else None, "base_currency": "BRL",
                   "active": True}

    def nav_cents(self, i, date):
        r = self.rng("nav", i, date)
        return r.randrange(5_000_000_00, 900_000_000_00)

    def gen_nav_snapshot(self, date):
        for i in range(self.funds):
            r = self.rng("snap", i, date)
            nav = self.nav_cents(i, date)
            dexp = r.randrange(0, nav // 2)
            drisk = dexp // r.randrange(2, 10)
            yield {"fund_id": self.fund_id(i), "position_date": date, "nav": money(nav),
                   "exchange_margin_pct": round(r.uniform(0, 0.3), 6),
                   "derivatives_exposure": money(dexp),
                   "derivatives_exposure_pct": round(dexp / nav, 6),
                   "derivatives_at_risk": money(drisk),
                   "derivatives_at_risk_pct": round(drisk / nav, 6),
                   "liquidity_ratio": round(r.uniform(0.1, 3), 6),
                   "var_95": round(r.uniform(0.001, 0.05), 6),
                   "var_99": round(r.uniform(0.05, 0.09), 6),
                   "stress_bull": round(r.uniform(-0.05, 0.1), 6),
                   "stress_bear": round(r.uniform(-0.2, 0.0), 6),
                   "return_day": round(r.uniform(-0.02, 0.02), 6),
                   "return_month": round(r.uniform(-0.05, 0.05), 6),
                   "return_year": round(r.uniform(-0.2, 0.3), 6),
                   "criticality_class": ("LOW", "MEDIUM", "HIGH")[r.randrange(3)]}

    def gen_nav_history(self, date, to_date=None):
        first = datetime.date.fromisoformat(date)
        last = datetime.date.fromisoformat(to_date) if to_date else first
        day = first
        while day <= last:
            d = day.isoformat()
            for i in range(self.funds):
                close = self.nav_cents(i, d)
                opening = close - self.rng("open", i, d).randrange(-close // 50, close // 50)
                yield {"fund_id": self.fund_id(i), "nav_date": d, "opening_nav": money(opening),
                       "closing_nav": money(close)}
            day += datetime.timedelta(days=1)

    def position_rows(self, date, want_swaps):
        """The positions (want_swaps False) or the swap rows (True) of `date`."""
        ref = datetime.date.fromisoformat(date)
        for i in range(self.funds):
            kinds = self.kinds(i)
            r = self.rng("pos", i, date)
            for j in range(self.rows_of_fund(i)):
                kind = kinds[j % len(kinds)]
                is_swap = kind == "OTC_SWAP"
                qty = r.randrange(1, 100000)
                price = r.randrange(100, 500000)
                if is_swap != want_swaps:
                    continue
                yield self.position(i, j, kind, qty, price, date, ref, r)

    def position(self, i, j, kind, qty, price, date, ref, r):
        notional = qty * price
        mv = notional
        row = dict.fromkeys(COLUMNS["positions"])
        code = {"OTC_OPTION": "OPT", "OTC_SWAP": "SWP", "OFFSHORE_FUND": "OFF",
                "FOREIGN_INVESTMENT": "FXI", "OTHER": "EQT"}[kind]
        if kind in ("OTC_OPTION", "OTC_SWAP"):
            mv = (notional // 20) * (1 if j % 3 else -1)
        row.update({"fund_id": self.fund_id(i), "position_date": date,
                    "asset_nickname": "%s %d-%d" % (code, i, j),
                    "isin": "BRSIM%07d" % ((i * 9973 + j) % 10000000),
                    "asset_code": "%s%05d%04d" % (code, i, j), "asset_type_code": code,
                    "classification": kind, "quantity": str(qty),
                    "price": money(price), "notional": money(notional),
                    "market_value": money(mv), "currency": "BRL"})
        if kind == "OTC_SWAP":
            row["asset_leg_balance"] = money(notional + mv)
            row["liability_leg_balance"] = money(notional)
        if kind in ("OTC_OPTION", "OTC_SWAP") and j % 4 != 3:  # 3 in 4 carry the risk fields
            row["otc_asset_class"] = ASSET_CLASSES[(i + j) % 5]
            row["start_date"] = (ref - datetime.timedelta(days=30 + j)).isoformat()
            row["end_date"] = (ref + datetime.timedelta(days=90 + 30 * (j % 40))).isoformat()
            row["direction"] = "LONG" if j % 2 else "SHORT"
            if kind == "OTC_OPTION":
                row["option_type"] = "CALL" if j % 2 else "PUT"
                row["underlying_price"] = round(price / 100, 2)
                row["strike"] = round(price / 100 * r.uniform(0.8, 1.2), 4)
        return row

    def gen_positions(self, date):
        return self.position_rows(date, want_swaps=False)

    def gen_swaps(self, date):
        return self.position_rows(date, want_swaps=True)

    def gen_margin_reports(self, date):
        for i in range(self.funds):
            otc, swap, off = self.exposure(i)
            if not (otc or swap or off):
                continue
            r = self.rng("margin", i, date)
            nav = self.nav_cents(i, date)
            local = r.randrange(0, nav // 10) if (otc or swap) else 0
            offshore = r.randrange(0, nav // 20) if off else 0
            yield {"request_id": "sim-s%d-r%d-f%d-%s" % (self.seed, self.revision,
                                                         self.fund_id(i), date),
                   "fund_id": self.fund_id(i), "reference_date": date,
                   "local_margin": money(local), "offshore_margin": money(offshore),
                   "methodology": "Sample methodology: historical VaR 99%% 10 days, rev %d"
                                  % self.revision}

    def rows(self, dataset, date, to_date=None):
        if dataset == "nav_history":
            return self.gen_nav_history(date, to_date)
        return getattr(self, "gen_" + dataset)(date)


# ---- serialisation ----

def json_value(column, value):
    if column in ENUM_PREFIX:
        return '"%s%s"' % (ENUM_PREFIX[column], value)
    if column in BOOL_COLUMNS:
        return "true" if value else "false"
    if column in NUMBER_COLUMNS:
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)


def json_row(columns, row):
    return "{" + ",".join('"%s":%s' % (c, json_value(c, row[c]))
                          for c in columns if row.get(c) is not None) + "}"


def to_json(dataset, rows):
    columns = COLUMNS[dataset] + JSON_ONLY_COLUMNS.get(dataset, ())
    return '{"rows":[' + ",\n".join(json_row(columns, r) for r in rows) + "]}\n"


def csv_cell(column, value):
    if value is None:
        return ""
    if column in ENUM_PREFIX:
        return ENUM_PREFIX[column] + value
    if column in BOOL_COLUMNS:
        return "true" if value else "false"
    text = str(value)
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def to_csv(dataset, rows):
    columns = COLUMNS[dataset]
    lines = [",".join(columns)]
    for r in rows:
        lines.append(",".join(csv_cell(c, r.get(c)) for c in columns))
    return "\r\n".join(lines) + "\r\n"


# ---- HTTP server ----

class Faults:
    """Per-path fault injection, settable at runtime. Thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.faults = {}  # path -> {"mode", "times", "delay"}
        self.hits = {}  # path -> requests seen

    def set(self, path, mode, times=-1, delay=3.0):
        with self.lock:
            if mode in ("none", "", None):
                self.faults.pop(path, None)
            else:
                self.faults[path] = {"mode": mode, "times": times, "delay": delay}

    def take(self, path):
        """Counts the hit and returns the fault to apply to it (or None)."""
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            fault = self.faults.get(path)
            if fault is None:
                return None
            if fault["times"] > 0:
                fault["times"] -= 1
                if fault["times"] == 0:
                    del self.faults[path]
            return dict(fault)

    def stats(self):
        with self.lock:
            return {"hits": dict(self.hits),
                    "faults": {p: dict(f) for p, f in self.faults.items()}}

    def reset(self):
        with self.lock:
            self.faults.clear()
            self.hits.clear()


def make_handler(universe, token, faults):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            sys.stderr.write("upstream-sim: " + (fmt % args) + "\n")

        def reply(self, code, body, content_type="application/json"):
            data = body.encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8") if length else "{}"
            if url.path == "/_faults":
                spec = json.loads(body)
                faults.set(spec.get("path", ""), spec.get("mode"), int(spec.get("times", -1)),
                           float(spec.get("delay", 3.0)))
                return self.reply(200, json.dumps(faults.stats()))
            if url.path == "/_reset":
                faults.reset()
                return self.reply(200, "{}")
            if url.path == "/_revision":
                universe.revision = int(json.loads(body).get("revision", 0))
                return self.reply(200, "{}")
            self.reply(404, '{"error":"not found"}')

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/_stats":
                return self.reply(200, json.dumps(faults.stats()))
            if url.path == "/healthz":
                return self.reply(200, '{"ok":true}')
            dataset = url.path[len("/v1/"):] if url.path.startswith("/v1/") else ""
            if dataset not in DATASETS:
                return self.reply(404, '{"error":"unknown path %s"}' % url.path)
            if token and self.headers.get("Authorization") != "Bearer " + token:
                return self.reply(401, '{"error":"missing or wrong bearer token"}')
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            fault = faults.take(url.path)
            self.serve_dataset(dataset, query, fault)

        def serve_dataset(self, dataset, query, fault):
            mode = fault["mode"] if fault else None
            if mode == "slow":
                time.sleep(fault["delay"])
            if mode == "error500":
                return self.reply(500, '{"error":"injected failure"}')
            date = query.get("date") or query.get("from") or datetime.date.today().isoformat()
            view = universe
            if "revision" in query:
                view = Universe(universe.seed, universe.funds, universe.positions,
                                int(query["revision"]))
            rows = [] if mode == "empty" else list(view.rows(dataset, date, query.get("to")))
            if mode == "partial":
                rows = rows[: len(rows) // 4]
            body = to_json(dataset, rows)
            if mode == "truncated":
                body = body[: len(body) // 2]
            if mode in ("oversize", "unsized"):
                return self.reply_unbounded(body, mode == "oversize")
            self.reply(200, body)

        def reply_unbounded(self, body, announce):
            """oversize: announces a 1 GB body; unsized: no length. Either way it sends `body`
            and closes the connection: a client must not trust or wait for the size."""
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            if announce:
                self.send_header("Content-Length", str(10 ** 9))
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(body.encode("utf-8"))
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def serve(args):
    universe = Universe(args.seed, args.funds, args.positions, args.revision)
    faults = Faults()
    for spec in args.fault or []:
        parts = spec.split(":")
        faults.set(parts[0], parts[1], int(parts[2]) if len(parts) > 2 else -1)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(universe, args.token,
                                                                           faults))
    server.daemon_threads = True
    scheme = "http"
    if args.tls_cert:
        import ssl
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    print("url %s://127.0.0.1:%d" % (scheme, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def write_files(args):
    """Streams each dataset into its files row by row, so a million positions fit in memory."""
    universe = Universe(args.seed, args.funds, args.positions, args.revision)
    os.makedirs(args.dir, exist_ok=True)
    formats = ("csv", "json") if args.format == "both" else (args.format,)
    for dataset in DATASETS:
        columns = COLUMNS[dataset]
        files = {fmt: open(os.path.join(args.dir, "%s-%s.%s" % (dataset, args.date, fmt)), "w",
                           encoding="utf-8", newline="", buffering=1 << 20) for fmt in formats}
        if "csv" in files:
            files["csv"].write(",".join(columns) + "\r\n")
        if "json" in files:
            files["json"].write('{"rows":[')
        count = 0
        for row in universe.rows(dataset, args.date):
            if "csv" in files:
                files["csv"].write(",".join(csv_cell(c, row.get(c)) for c in columns) + "\r\n")
            if "json" in files:
                files["json"].write((",\n" if count else "") + json_row(columns, row))
            count += 1
        if "json" in files:
            files["json"].write("]}\n")
        for f in files.values():
            f.close()
        print("%s: %d rows" % (dataset, count), flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("serve", "write-files"):
        p = sub.add_parser(name)
        p.add_argument("--seed", type=int, default=7)
        p.add_argument("--funds", type=int, default=300)
        p.add_argument("--positions", type=int, default=None,
                       help="total position rows incl. swaps (default 8 per fund)")
        p.add_argument("--revision", type=int, default=0)
    s = sub.choices["serve"]
    s.add_argument("--port", type=int, default=0)
    s.add_argument("--token", default=os.environ.get("UPSTREAM_SIM_TOKEN", ""))
    s.add_argument("--fault", action="append", help="PATH:MODE[:TIMES], e.g. /v1/swaps:empty:1")
    s.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    s.add_argument("--tls-key", help="PEM private key for --tls-cert")
    w = sub.choices["write-files"]
    w.add_argument("--dir", required=True)
    w.add_argument("--date", required=True)
    w.add_argument("--format", choices=("csv", "json", "both"), default="both")
    args = parser.parse_args(argv)
    if args.funds < 1:
        parser.error("--funds must be at least 1")
    (serve if args.command == "serve" else write_files)(args)


if __name__ == "__main__":
    main(sys.argv[1:])
