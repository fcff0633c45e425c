#!/usr/bin/python3
"""A fund manager's script: submit margin reports from a CSV file and print one receipt per row.

The CSV has a header row with the SubmitMarginRequest field names (docs/clients.md):

    fund_id,reference_date,local_margin,offshore_margin,methodology[,request_id]

Rows go to riskcapd in one MarginService.SubmitMargins client stream. Each row's request_id (the
idempotency key) is the column's value, or else "<file name>:<line number>", so re-running the
script on the same file replays the receipts instead of submitting twice.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/submit_margins_csv.py margins.csv

Prints one JSON line per row (index, request_id, then receipt or error) and a summary line on
stderr. Exit code: 0 when every row was accepted, 1 when any row (or the call) failed, 2 for bad
arguments or an unreadable file.
"""

import argparse
import csv
import json
import os
import sys

import grpc
from google.protobuf import json_format
from riskcap.v1 import margin_pb2, margin_pb2_grpc

CALL_TIMEOUT_SECONDS = 300
ROWS_PER_MESSAGE = 500
FIELDS = ("fund_id", "reference_date", "local_margin", "offshore_margin", "methodology")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("csv_file", help="CSV with a header row (see the module docstring)")
    p.add_argument("--server", default=os.environ.get("RISKCAP_SERVER", "127.0.0.1:50051"),
                   help="host:port of riskcapd, plain text (env RISKCAP_SERVER)")
    p.add_argument("--token", default=os.environ.get("RISKCAP_TOKEN"),
                   help="API key secret, sent as 'authorization: Bearer' (env RISKCAP_TOKEN)")
    args = p.parse_args(argv)
    if not args.token:
        p.error("an API key is required: --token or RISKCAP_TOKEN")
    return args


def read_requests(path):
    """SubmitMarginRequests from the CSV; raises ValueError naming the line on a bad row."""
    name = os.path.basename(path)
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in FIELDS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: header lacks column(s) {', '.join(missing)}")
        requests = []
        for row in reader:
            line = reader.line_num
            try:
                fund_id = int(row["fund_id"])
            except ValueError:
                raise ValueError(f"{path}:{line}: fund_id {row['fund_id']!r} is not an integer")
            requests.append(margin_pb2.SubmitMarginRequest(
                request_id=(row.get("request_id") or f"{name}:{line}"), fund_id=fund_id,
                reference_date=row["reference_date"], local_margin=row["local_margin"],
                offshore_margin=row["offshore_margin"], methodology=row["methodology"]))
        return requests


def batches(requests):
    for start in range(0, len(requests), ROWS_PER_MESSAGE):
        yield margin_pb2.SubmitMarginsRequest(submissions=requests[start:start + ROWS_PER_MESSAGE])


def result_line(result):
    as_dict = json_format.MessageToDict(result, preserving_proto_field_name=True)
    as_dict.setdefault("index", 0)  # proto3 JSON omits a zero index
    return json.dumps(as_dict, sort_keys=True)


def main(argv):
    args = parse_args(argv)
    try:
        requests = read_requests(args.csv_file)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    metadata = (("authorization", f"Bearer {args.token}"),)
    with grpc.insecure_channel(args.server) as channel:
        stub = margin_pb2_grpc.MarginServiceStub(channel)
        try:
            response = stub.SubmitMargins(batches(requests), metadata=metadata,
                                          timeout=CALL_TIMEOUT_SECONDS)
        except grpc.RpcError as error:
            print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
            return 1
    for result in response.results:
        print(result_line(result))
    print(f"{response.accepted_count} accepted, {response.rejected_count} rejected",
          file=sys.stderr)
    return 0 if response.rejected_count == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
