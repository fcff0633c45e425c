#!/usr/bin/python3
"""A webhook receiver for the delivery tests: verifies riskcap's signature as docs/operations.md
tells a receiver to, and records each verified POST to a directory.

Prints "port N" once listening. Answers 503 to the first --fail-first POSTs (recording nothing),
401 to a POST whose signature does not verify (recording bad-<n>), else 200 (recording
hook-<n>.json: the X-Riskcap-Delivery header on the first line, the body on the second).
"""
import argparse
import hashlib
import hmac
import http.server
import os
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--fail-first", type=int, default=0)
    args = parser.parse_args()
    lock = threading.Lock()
    state = {"posts": 0, "ok": 0, "bad": 0}

    class Receiver(http.server.BaseHTTPRequestHandler):
        def log_message(self, *unused):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            timestamp = self.headers.get("X-Riskcap-Timestamp", "")
            signature = self.headers.get("X-Riskcap-Signature", "")
            expected = "sha256=" + hmac.new(args.secret.encode(), timestamp.encode() + b"." + body,
                                            hashlib.sha256).hexdigest()
            with lock:
                state["posts"] += 1
                if state["posts"] <= args.fail_first:
                    code = 503
                elif not hmac.compare_digest(signature, expected):
                    state["bad"] += 1
                    open(os.path.join(args.dir, "bad-%d" % state["bad"]), "w").close()
                    code = 401
                else:
                    state["ok"] += 1
                    path = os.path.join(args.dir, "hook-%d.json" % state["ok"])
                    with open(path + ".tmp", "wb") as out:
                        out.write(self.headers.get("X-Riskcap-Delivery", "").encode() + b"\n")
                        out.write(body)
                    os.rename(path + ".tmp", path)
                    code = 200
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    print("port %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
