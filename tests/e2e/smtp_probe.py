#!/usr/bin/env python3
"""smtp_probe.py HOST PORT [SOURCE] - does the SMTP server at HOST:PORT
accept a relay recipient from this client (from address SOURCE, if given)?  EHLO, MAIL FROM:<a@example.org>,
RCPT TO:<b@example.net>, QUIT: never DATA.  When that is refused, the
dialogue is tried again without EHLO (a client may skip it when
smtpd_helo_required=no).  Prints one line:
  relay <reply>       RCPT TO got 250/251
  norelay <reply>     a 4xx/5xx at some step
  nobanner <why>      no 220 greeting (e.g. smtpd refused to start)
"""
import socket
import sys


def reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            raise EOFError("connection closed")
        line = line.decode("latin-1").rstrip("\r\n")
        lines.append(line)
        if len(line) < 4 or line[3] != "-":
            return int(line[:3]), line


def dialogue(host, port, ehlo, source=None):
    s = socket.create_connection((host, port), timeout=3,
                                 source_address=(source, 0) if source else None)
    f = s.makefile("rb")
    try:
        try:
            code, text = reply(f)
        except (EOFError, socket.timeout, ConnectionError) as e:
            return "nobanner", str(e)
        if code != 220:
            return "norelay", "banner " + text
        steps = [("EHLO client.example.org", "ehlo")] if ehlo else []
        steps += [("MAIL FROM:<a@example.org>", "mail"), ("RCPT TO:<b@example.net>", "rcpt")]
        for cmd, name in steps:
            s.sendall(cmd.encode() + b"\r\n")
            code, text = reply(f)
            if name == "rcpt" and code in (250, 251):
                return "relay", text
            if code >= 400:
                return "norelay", name + " " + text
        return "norelay", "rcpt " + text
    finally:
        try:
            s.sendall(b"QUIT\r\n")
        except OSError:
            pass
        s.close()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    source = sys.argv[3] if len(sys.argv) > 3 else None
    try:
        verdict, text = dialogue(host, port, True, source)
        if verdict == "norelay" and not text.startswith("banner"):
            v2, t2 = dialogue(host, port, False, source)
            if v2 == "relay":
                verdict, text = v2, "without EHLO: " + t2
    except (OSError, EOFError) as e:
        verdict, text = "nobanner", str(e)
    print(verdict, text)


main()
