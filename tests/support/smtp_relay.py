#!/usr/bin/python3
"""A mail relay for tests: Debian's aiosmtpd on a free loopback port.

Prints "smtp-relay listening on 127.0.0.1:PORT" once it accepts connections.
Every accepted message is stored as DIR/NNNN.eml (the bytes received) with
DIR/NNNN.json beside it (envelope sender, recipients, AUTH login). A message
is stored only after it is complete, under its final name by rename, so a
reader never sees half a file.

--rule PATTERN=ACTION (repeatable) decides the answer to the end of DATA for
a message whose recipient matches the shell-style PATTERN: a three-digit
reply code (for example 451 or 550; the message is not stored) or "drop"
(the connection is closed without an answer). The first matching rule wins;
a message no rule matches gets 250.

--auth USER:PASSWORD offers AUTH PLAIN and LOGIN (without TLS) and requires it.
"""
import argparse
import asyncio
import fnmatch
import itertools
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP, AuthResult


def parse_rules(texts):
    rules = []
    for text in texts:
        pattern, _, action = text.rpartition("=")
        if not pattern or not (action == "drop" or (action.isdigit() and len(action) == 3)):
            raise SystemExit(f"bad --rule {text!r}: PATTERN=CODE or PATTERN=drop")
        rules.append((pattern, action))
    return rules


class Handler:
    def __init__(self, directory, rules):
        self.directory = directory
        self.rules = rules
        self.counter = itertools.count(1)

    def action_for(self, recipients):
        for pattern, action in self.rules:
            if any(fnmatch.fnmatchcase(r, pattern) for r in recipients):
                return action
        return None

    async def handle_DATA(self, server, session, envelope):
        action = self.action_for(envelope.rcpt_tos)
        if action == "drop":
            server.transport.abort()
            return "421 dropped"  # never reaches the client
        if action is not None:
            return f"{action} rejected by test rule"
        number = next(self.counter)
        base = os.path.join(self.directory, f"{number:04d}")
        login = session.login_data
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login.decode() if isinstance(login, bytes) else login,
        }
        with open(base + ".json.tmp", "w") as out:
            json.dump(meta, out)
        os.rename(base + ".json.tmp", base + ".json")
        with open(base + ".eml.tmp", "wb") as out:
            out.write(envelope.original_content)
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 OK stored"


def make_authenticator(credentials):
    user, _, password = credentials.partition(":")

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok)

    return authenticate


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True)
    parser.add_argument("--rule", action="append", default=[])
    parser.add_argument("--auth", default="")
    args = parser.parse_args()
    handler = Handler(args.dir, parse_rules(args.rule))
    options = {}
    if args.auth:
        options = dict(authenticator=make_authenticator(args.auth), auth_require_tls=False,
                       auth_required=True)

    def protocol():
        return SMTP(handler, hostname="relay.test", **options)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, host="127.0.0.1", port=0)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = server.sockets[0].getsockname()[1]
    print(f"smtp-relay listening on 127.0.0.1:{port}", flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
