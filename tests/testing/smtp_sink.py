#!/usr/bin/python3
"""A real SMTP server (aiosmtpd) for the delivery tests: records each accepted message to a
directory, and can refuse recipients for a while (451) or for good (550), or hold DATA.

Prints "port N" once listening. Files in --dir:
  msg-<n>.eml   an accepted message (written whole, then renamed into place)
  data-<n>      the n-th DATA command has started (before --data-delay)
"""
import argparse
import asyncio
import os

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, args):
        self.args = args
        self.refused = 0
        self.data_seen = 0
        self.accepted = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.args.reject:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if self.refused < self.args.tempfail:
            self.refused += 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_seen += 1
        open(os.path.join(self.args.dir, "data-%d" % self.data_seen), "w").close()
        if self.args.data_delay > 0:
            await asyncio.sleep(self.args.data_delay)
            transport = server.transport
            if transport is None or transport.is_closing():
                return "451 4.3.0 client went away"  # never acknowledged: not accepted
        self.accepted += 1
        path = os.path.join(self.args.dir, "msg-%d.eml" % self.accepted)
        with open(path + ".tmp", "wb") as out:
            out.write(("X-Rcpt: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
            out.write(envelope.original_content or envelope.content)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--tempfail", type=int, default=0, help="refuse this many RCPTs with 451")
    parser.add_argument("--reject", action="store_true", help="refuse every RCPT with 550")
    parser.add_argument("--data-delay", type=float, default=0, help="seconds to hold each DATA")
    args = parser.parse_args()
    handler = Handler(args)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler, enable_SMTPUTF8=True),
                                      "127.0.0.1", 0)
    print("port %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
