#!/usr/bin/python3
"""An internal service's script: stream new findings and fetch each finding fund's exposure.

Opens FindingService.WatchFindings (replaying findings after --after, so a restarted consumer
misses nothing) and, for every finding about a fund, reads the fund's current exposure snapshot
with SnapshotService.GetExposure. Prints one JSON line per finding:

    {"finding": {...}, "exposure": {...} | null}

    PYTHONPATH=build/python /usr/bin/python3 examples/python/watch_findings.py \\
        --min-severity WARNING --after 0 --max 10 --idle 10

--after 0 replays nothing: only findings raised from now on arrive. Stops after --max findings,
or after --idle seconds without one (default: run until interrupted); while waiting it says so
on stderr. Exit code 0, 1 on an RPC error,
2 for bad arguments. Needs a key with read access to findings and snapshots (SERVICE, ANALYST or
ADMIN).
"""

import argparse
import json
import os
import sys
import threading

import grpc
from google.protobuf import json_format
from riskcap.v1 import finding_pb2, finding_pb2_grpc, snapshot_pb2, snapshot_pb2_grpc

CALL_TIMEOUT_SECONDS = 30
SEVERITIES = ("INFO", "WARNING", "CRITICAL")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--server", default=os.environ.get("RISKCAP_SERVER", "127.0.0.1:50051"),
                   help="host:port of riskcapd, plain text (env RISKCAP_SERVER)")
    p.add_argument("--token", default=os.environ.get("RISKCAP_TOKEN"),
                   help="API key secret (env RISKCAP_TOKEN)")
    p.add_argument("--after", type=int, default=0,
                   help="replay findings with a larger id first (0: only new ones)")
    p.add_argument("--min-severity", choices=SEVERITIES, help="only this severity or higher")
    p.add_argument("--fund", type=int, default=0, help="only this fund's findings")
    p.add_argument("--max", type=int, default=0, help="stop after this many findings (0: never)")
    p.add_argument("--idle", type=float, default=0,
                   help="stop after this many seconds without a finding (0: never)")
    args = p.parse_args(argv)
    if args.max < 0 or args.idle < 0:
        p.error("--max and --idle must be >= 0")
    if not args.token:
        p.error("an API key is required: --token or RISKCAP_TOKEN")
    return args


def to_dict(message):
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def exposure_of(stub, fund_id, metadata):
    """The fund's current exposure as a dict, or None when it has no exposure snapshot."""
    try:
        exposure = stub.GetExposure(snapshot_pb2.GetExposureRequest(fund_id=fund_id),
                                    metadata=metadata, timeout=CALL_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return to_dict(exposure)


class IdleTimer:
    """Calls `on_idle` once `seconds` pass without a restart (never when seconds is 0)."""

    def __init__(self, seconds, on_idle):
        self.seconds, self.on_idle, self.timer, self.fired = seconds, on_idle, None, False

    def _fire(self):
        self.fired = True
        self.on_idle()

    def restart(self):
        self.stop()
        if self.seconds > 0:
            self.timer = threading.Timer(self.seconds, self._fire)
            self.timer.daemon = True
            self.timer.start()

    def stop(self):
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def main(argv):
    args = parse_args(argv)
    metadata = (("authorization", f"Bearer {args.token}"),)
    request = finding_pb2.WatchFindingsRequest(fund_id=args.fund, after_finding_id=args.after)
    if args.min_severity:
        request.minimum_severity = finding_pb2.FindingSeverity.Value(
            f"FINDING_SEVERITY_{args.min_severity}")
    with grpc.insecure_channel(args.server) as channel:
        findings = finding_pb2_grpc.FindingServiceStub(channel)
        snapshots = snapshot_pb2_grpc.SnapshotServiceStub(channel)
        stream = findings.WatchFindings(request, metadata=metadata)
        idle = IdleTimer(args.idle, stream.cancel)
        # The server sends its metadata once it has fixed where the stream starts: from then on
        # no finding is missed, so only then does the script say it is watching.
        stream.initial_metadata()
        print("watching for findings%s; Ctrl-C stops" %
              (" (replaying those after id %d first)" % args.after if args.after else ""),
              file=sys.stderr, flush=True)
        seen = 0
        try:
            idle.restart()
            for finding in stream:
                idle.stop()
                exposure = exposure_of(snapshots, finding.fund_id, metadata) \
                    if finding.fund_id else None
                print(json.dumps({"finding": to_dict(finding), "exposure": exposure},
                                 sort_keys=True), flush=True)
                seen += 1
                if args.max and seen >= args.max:
                    stream.cancel()
                    break
                idle.restart()
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                print(f"error: {error.code().name}: {error.details()}", file=sys.stderr)
                return 1
        except KeyboardInterrupt:
            stream.cancel()
        finally:
            idle.stop()
    if idle.fired:
        print("no finding for %g s: stopping (--idle)" % args.idle, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
