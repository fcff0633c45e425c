#!/usr/bin/python3
"""Submit one margin report to riskcapd and read it back: the riskcap API from Python.

Uses the stubs the build generates into build/python (target riskcap_python_stubs) and Debian's
python3-grpcio / python3-protobuf, which only /usr/bin/python3 sees:

    PYTHONPATH=build/python /usr/bin/python3 examples/python/submit_margin.py \\
        --server 127.0.0.1:50051 --token rk_... --fund 1000 --date 2026-11-20 \\
        --local 1500000.25 --offshore 250000 --methodology "Historical VaR 99%, 10 days"

On success it prints two JSON lines (proto3 JSON mapping, proto field names): the receipt of
SubmitMargin, then the stored submission from GetSubmission. On an error it prints one line to
stderr and exits with 1: the status code and, for INVALID_ARGUMENT, every field violation decoded
from the google.rpc.BadRequest in the `grpc-status-details-bin` trailer, else the message:

    error: INVALID_ARGUMENT: invalid fields: local_margin (money amount "1.1234567" has ...)
    error: NOT_FOUND: fund 999999 not found
"""

import argparse
import datetime
import json
import os
import sys
import uuid

import grpc
from google.protobuf import json_format
from google.rpc import error_details_pb2, status_pb2
from riskcap.v1 import margin_pb2, margin_pb2_grpc

CALL_TIMEOUT_SECONDS = 30


def parse_args(argv):
    today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--server", default=os.environ.get("RISKCAP_SERVER", "127.0.0.1:50051"),
                   help="host:port of riskcapd, plain text (env RISKCAP_SERVER)")
    p.add_argument("--token", default=os.environ.get("RISKCAP_TOKEN"),
                   help="API key secret, sent as 'authorization: Bearer' (env RISKCAP_TOKEN)")
    p.add_argument("--fund", type=int, required=True, help="the administrator's fund code")
    p.add_argument("--date", default=today, help="reference date YYYY-MM-DD (default: today, UTC)")
    p.add_argument("--local", required=True, help="local (OTC) margin, exact decimal: 1500.25")
    p.add_argument("--offshore", required=True, help="offshore margin, exact decimal")
    p.add_argument("--methodology", required=True, help="how the figures were computed")
    p.add_argument("--request-id", default=str(uuid.uuid4()),
                   help="idempotency key; resend the same one to retry safely (default: a UUID)")
    args = p.parse_args(argv)
    if not args.token:
        p.error("an API key is required: --token or RISKCAP_TOKEN")
    return args


def to_json(message):
    """One line of proto3 JSON, keeping proto field names and fields left at their defaults."""
    as_dict = json_format.MessageToDict(message, preserving_proto_field_name=True,
                                        including_default_value_fields=True)
    return json.dumps(as_dict, sort_keys=True)


def field_violations(error):
    """(field, description) pairs of the google.rpc.BadRequest details of a failed call."""
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                detail.Unpack(bad_request)
                for v in bad_request.field_violations:
                    yield v.field, v.description


def describe_error(error):
    """The one-line report of a failed call: the code, then the field violations when the
    status carries them (INVALID_ARGUMENT), else the server's message."""
    violations = []
    if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
        violations = [f"{field} ({why})" for field, why in field_violations(error)]
    if not violations:
        return f"error: {error.code().name}: {error.details()}"
    return f"error: {error.code().name}: invalid fields: {'; '.join(violations)}"


def main(argv):
    args = parse_args(argv)
    metadata = (("authorization", f"Bearer {args.token}"),)
    with grpc.insecure_channel(args.server) as channel:
        stub = margin_pb2_grpc.MarginServiceStub(channel)
        request = margin_pb2.SubmitMarginRequest(
            request_id=args.request_id, fund_id=args.fund, reference_date=args.date,
            local_margin=args.local, offshore_margin=args.offshore,
            methodology=args.methodology)
        try:
            receipt = stub.SubmitMargin(request, metadata=metadata,
                                        timeout=CALL_TIMEOUT_SECONDS)
            print(to_json(receipt), flush=True)
            submission = stub.GetSubmission(
                margin_pb2.GetSubmissionRequest(submission_id=receipt.submission_id),
                metadata=metadata, timeout=CALL_TIMEOUT_SECONDS)
            print(to_json(submission), flush=True)
        except grpc.RpcError as error:
            print(describe_error(error), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
