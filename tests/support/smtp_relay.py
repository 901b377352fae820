#!/usr/bin/python3
"""A mail relay for tests: Debian's aiosmtpd on a free loopback port.

Prints "smtp-relay listening on 127.0.0.1:PORT" once it accepts connections.
Every accepted message is stored as DIR/NNNN.eml (the bytes received) with
DIR/NNNN.json beside it (envelope sender, recipients, AUTH login, and which
attempt for its recipient it was). A message is stored only after it is
complete, under its final name by rename, so a reader never sees half a file.

--rule PATTERN=ACTION (repeatable) decides the answer to the end of DATA for
a message whose recipient matches the shell-style PATTERN: a three-digit
reply code (for example 451 or 550; the message is not stored) or "drop"
(the connection is closed without an answer). The first matching rule wins;
a message no rule matches gets 250. Two more forms:
  PATTERN=CODExN      CODE for the first N messages to each matching
                      recipient; after that the rule no longer applies to it
                      (so "busy@x=451x2" accepts the third attempt);
  PATTERN=delay:SECS  wait SECS (a decimal) before answering DATA, then go on
                      with the rules after this one (it decides nothing).
DATA attempts are counted per recipient; every refused or dropped attempt is
appended to DIR/refused.log as a "RECIPIENT ACTION ATTEMPT" line.

--port PORT listens on that port (default 0: a free one), so that a test can
stop the relay and start it again where the server expects it.

--auth USER:PASSWORD offers AUTH PLAIN and LOGIN (without TLS) and requires it.
"""
import argparse
import asyncio
import collections
import fnmatch
import itertools
import json
import os
import re
import signal

from aiosmtpd.smtp import SMTP, AuthResult

RULE_ACTION = re.compile(r"^(?:drop|\d{3}(?:x[1-9]\d*)?|delay:\d+(?:\.\d+)?)$")


def parse_rules(texts):
    """[(pattern, code or "drop" or None, times or None, delay or None)]."""
    rules = []
    for text in texts:
        pattern, _, action = text.rpartition("=")
        if not pattern or not RULE_ACTION.match(action):
            raise SystemExit(f"bad --rule {text!r}: PATTERN=CODE, PATTERN=CODExN, "
                             "PATTERN=drop or PATTERN=delay:SECONDS")
        if action.startswith("delay:"):
            rules.append((pattern, None, None, float(action[len("delay:"):])))
            continue
        code, _, times = action.partition("x")
        rules.append((pattern, code, int(times) if times else None, None))
    return rules


class Handler:
    def __init__(self, directory, rules):
        self.directory = directory
        self.rules = rules
        self.counter = itertools.count(1)
        # DATA attempts per recipient, the current one included.
        self.attempts = collections.Counter()

    async def action_for(self, recipients):
        for pattern, action, times, delay in self.rules:
            matching = [r for r in recipients if fnmatch.fnmatchcase(r, pattern)]
            if not matching:
                continue
            if delay is not None:
                await asyncio.sleep(delay)
                continue
            if times is not None and all(self.attempts[r] > times for r in matching):
                continue
            return action
        return None

    def note_refusal(self, recipients, action):
        with open(os.path.join(self.directory, "refused.log"), "a") as out:
            for r in recipients:
                out.write(f"{r} {action} {self.attempts[r]}\n")

    async def handle_DATA(self, server, session, envelope):
        for r in envelope.rcpt_tos:
            self.attempts[r] += 1
        action = await self.action_for(envelope.rcpt_tos)
        if action is not None:
            self.note_refusal(envelope.rcpt_tos, action)
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
            "attempt": max(self.attempts[r] for r in envelope.rcpt_tos),
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
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    handler = Handler(args.dir, parse_rules(args.rule))
    options = {}
    if args.auth:
        options = dict(authenticator=make_authenticator(args.auth), auth_require_tls=False,
                       auth_required=True)

    def protocol():
        return SMTP(handler, hostname="relay.test", **options)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, host="127.0.0.1", port=args.port,
                                      reuse_address=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    port = server.sockets[0].getsockname()[1]
    print(f"smtp-relay listening on 127.0.0.1:{port}", flush=True)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
