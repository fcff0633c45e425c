#!/usr/bin/python3
"""Simulated upstream for riskcap: deterministic generic sample payloads over HTTP, or as files.

Python 3 standard library only. The same seed, size, revision, story date (--as-of) and date
always give byte-identical payloads; another --revision changes the values (not the row counts),
so tests can produce "changed inputs". Rows follow docs/sources.md and the shared formats: JSON
{"rows": [...]} with snake_case riskcap.v1 proto field names and enums by name; CSV with a header
of those names. The data tell a story (sim_story.py): NAVs walk day by day, managers report on
their schedules (some late, some never), and on the --as-of date a few funds are in trouble.

  upstream_sim.py serve --port 0 --seed 7 --funds 300 [--positions N] [--revision R]
                        [--as-of YYYY-MM-DD] [--token T] [--fault PATH:MODE[:TIMES]]...
  upstream_sim.py write-files --dir D --date YYYY-MM-DD --funds N --positions M [--format both]

See README.md in this folder for the endpoints and fault injection.
"""

import argparse
import datetime
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sim_calendar as cal  # noqa: E402
from sim_plan import analyst_plan  # noqa: E402
from sim_universe import COLUMNS, DATASETS, JSON_ONLY_COLUMNS, Universe  # noqa: E402

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
GENERATE = threading.Lock()


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
                with GENERATE:
                    universe.set_revision(int(json.loads(body).get("revision", 0)))
                return self.reply(200, "{}")
            self.reply(404, '{"error":"not found"}')

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/_stats":
                return self.reply(200, json.dumps(faults.stats()))
            if url.path == "/healthz":
                return self.reply(200, '{"ok":true}')
            if url.path == "/_story":
                with GENERATE:
                    plan = analyst_plan(universe)
                return self.reply(200, json.dumps(plan, ensure_ascii=False))
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
                                int(query["revision"]), universe.as_of)
            with GENERATE:  # the story's caches are filled by one thread at a time
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
    universe = Universe(args.seed, args.funds, args.positions, args.revision, args.as_of)
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
    print("as-of %s" % universe.as_of.isoformat(), flush=True)
    print("url %s://127.0.0.1:%d" % (scheme, server.server_address[1]), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


def write_files(args):
    """Streams each dataset into its files row by row, so a million positions fit in memory."""
    universe = Universe(args.seed, args.funds, args.positions, args.revision, args.as_of)
    os.makedirs(args.dir, exist_ok=True)
    formats = ("csv", "json") if args.format == "both" else (args.format,)
    for dataset in DATASETS:
        columns = COLUMNS[dataset]
        json_columns = columns + JSON_ONLY_COLUMNS.get(dataset, ())
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
                files["json"].write((",\n" if count else "") + json_row(json_columns, row))
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
        p.add_argument("--as-of", type=cal.parse, default=None,
                       help="the story's date (default: the latest business day, UTC)")
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
