#!/usr/bin/python3
"""Parses one RFC 5322 message file with Python's email package
(policy.default) and prints what the C++ tests assert on, as JSON."""
import email
import email.header
import email.policy
import email.utils
import json
import sys


def display_name_rfc2047(raw):
    """The From display name decoded by the legacy email.header API, which
    ignores whitespace between adjacent encoded words as RFC 2047 6.2 says
    (policy.default keeps it: CPython's phrase parser does not even read its
    own folded names back)."""
    compat = email.message_from_bytes(raw)  # compat32: header values as sent
    value = compat["From"].replace("\r\n", "").replace("\n", "")
    phrase = value.rpartition("<")[0].strip()
    decoded = str(email.header.make_header(email.header.decode_header(phrase)))
    if decoded.startswith('"') and decoded.endswith('"'):
        decoded = email.utils.unquote(decoded)
    return decoded


def main(path):
    with open(path, "rb") as f:
        raw = f.read()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    head, _, _ = raw.partition(b"\r\n\r\n")
    header_lines = head.split(b"\r\n")
    from_header = message["From"]
    mailbox = from_header.addresses[0] if from_header is not None and from_header.addresses else None
    reply_to = message["Reply-To"]
    parts = []
    if message.is_multipart():
        for part in message.iter_parts():
            parts.append({
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "transfer_encoding": part["Content-Transfer-Encoding"],
                "content": part.get_content(),
                "defects": [type(d).__name__ for d in part.defects],
            })
    lines = raw.split(b"\n")
    result = {
        "header_names": [name for name, _ in message.items()],
        "header_line_count": len(header_lines),
        "from_display_name": mailbox.display_name if mailbox else None,
        "from_display_name_rfc2047": display_name_rfc2047(raw),
        "from_address": mailbox.addr_spec if mailbox else None,
        "to": [a.addr_spec for a in message["To"].addresses] if message["To"] else [],
        "reply_to": [a.addr_spec for a in reply_to.addresses] if reply_to else [],
        "subject": str(message["Subject"]) if message["Subject"] is not None else None,
        "date_parses": message["Date"] is not None and message["Date"].datetime is not None,
        "message_id": str(message["Message-ID"]),
        "mime_version": str(message["MIME-Version"]),
        "content_type": message.get_content_type(),
        "boundary": message.get_boundary(),
        "parts": parts,
        "defects": [type(d).__name__ for d in message.defects],
        # Every line ends in CRLF, and none is longer than RFC 5322 allows.
        "all_crlf": raw.endswith(b"\r\n") and all(l.endswith(b"\r") for l in lines[:-1]),
        "longest_line": max(len(l.rstrip(b"\r")) for l in lines),
        "longest_header_line": max(len(l) for l in header_lines),
        "ascii_only": all(b < 0x80 for b in raw),
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
