#!/usr/bin/env python3
"""Differential test: our Postfix configuration model against real postconf.

Helper of tests/e2e/postfix_postconf.sh.  For every configuration directory
(the hand-written cases under tests/fixtures/postfix/cases and RANDOM_COUNT
generated from a fixed seed) it compares:
  - every audited parameter: postconf -c DIR -x NAME...  vs  postfix_dump main
  - master.cf parameters:    postconf -P / -Px           vs  postfix_dump P/Px
  - master.cf services:      postconf -M / -Mx (blanks squeezed) vs M/Mx
  - per smtpd/postscreen service, the effective value of every audited
    parameter: postconf -x on a copy of the directory whose main.cf has
    that service's -o settings appended (that is what smtpd does with -o)
    vs  postfix_dump service SVC/TYPE.
A configuration postconf rejects (fatal expansion error) must make our
side report an error too.  Every mismatch is printed as a diff; exit 1.
"""
import difflib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

AUDITED = """compatibility_level inet_interfaces inet_protocols mynetworks mynetworks_style
mydestination myhostname mydomain myorigin relay_domains virtual_alias_domains
virtual_mailbox_domains relayhost smtpd_client_restrictions smtpd_helo_restrictions
smtpd_sender_restrictions smtpd_relay_restrictions smtpd_recipient_restrictions
smtpd_relay_before_recipient_restrictions smtpd_delay_reject disable_vrfy_command
smtpd_helo_required smtpd_banner smtpd_tls_security_level smtpd_use_tls
smtpd_enforce_tls smtpd_tls_cert_file smtpd_tls_key_file smtpd_tls_chain_files
smtp_tls_security_level smtp_sasl_auth_enable smtp_sasl_security_options
smtpd_sasl_auth_enable smtpd_sasl_security_options smtpd_client_connection_count_limit
smtpd_client_connection_rate_limit anvil_rate_time_unit smtpd_tls_loglevel
smtp_tls_loglevel syslog_name mail_name multi_instance_directories""".split()

RANDOM_SEED = 20261125
RANDOM_COUNT = 70


def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=20)
    except subprocess.TimeoutExpired:
        sys.stdout.write("TIMEOUT %s\n" % " ".join(cmd[:6]))
        return 124, ""
    return p.returncode, p.stdout


def age(d):
    """Postfix waits for a config file modified in the last second or two to
    settle (util/dict.c): backdate our freshly written files."""
    old = 1000000000
    for f in os.listdir(d):
        os.utime(os.path.join(d, f), (old, old))


def squeeze(text):
    """postconf prints values with runs of blanks folded to one space."""
    return "\n".join(re.sub(r"[ \t]+", " ", l).strip()
                     for l in text.splitlines() if l.strip()) + "\n"


class Checker:
    def __init__(self, dump):
        self.dump = dump
        self.failures = 0
        self.comparisons = 0

    def diff(self, label, theirs, ours):
        self.comparisons += 1
        if theirs == ours:
            return
        self.failures += 1
        sys.stdout.write("MISMATCH %s\n" % label)
        sys.stdout.writelines(difflib.unified_diff(
            theirs.splitlines(True), ours.splitlines(True),
            "postconf", "ours", n=0))

    def values(self, label, pc_cmd, our_cmd, names):
        rc, theirs = run(pc_cmd + names)
        orc, ours = run(our_cmd + names)
        if rc != 0:
            # postconf is fatal on any bad expansion: so must we be
            self.comparisons += 1
            if orc == 0:
                self.diff(label + " (postconf fails, we do not)", "error\n", ours)
            return
        if orc != 0:
            self.diff(label + " (we fail, postconf does not)", theirs, "exit %d\n" % orc)
            return
        self.diff(label, squeeze(theirs), squeeze(ours))

    def case(self, d):
        name = os.path.basename(d)
        self.values(name + " main", ["postconf", "-c", d, "-x"],
                    [self.dump, d, "main"], AUDITED)
        for flag, mode in (("-P", "P"), ("-Px", "Px"), ("-M", "M"), ("-Mx", "Mx")):
            rc, theirs = run(["postconf", "-c", d, flag])
            orc, ours = run([self.dump, d, mode])
            if rc != 0:
                self.comparisons += 1
                if orc == 0:
                    self.diff("%s %s (postconf fails, we do not)" % (name, flag),
                              "error\n", ours)
                continue
            self.diff("%s %s" % (name, flag), squeeze(theirs), squeeze(ours))
        rc, services = run([self.dump, d, "services"])
        rc, plines = run(["postconf", "-c", d, "-P"])
        for svc in services.split():
            tmp = tempfile.mkdtemp(prefix="mpfx-svc-")
            try:
                shutil.copy(os.path.join(d, "master.cf"), tmp)
                with open(os.path.join(d, "main.cf")) as f:
                    main = f.read()
                if main and not main.endswith("\n"):
                    main += "\n"
                for line in plines.splitlines():
                    prefix = svc + "/"
                    if line.startswith(prefix):
                        rest = line[len(prefix):]
                        pname, _, pval = rest.partition(" =")
                        main += "%s = %s\n" % (pname, pval.strip())
                with open(os.path.join(tmp, "main.cf"), "w") as f:
                    f.write(main)
                age(tmp)
                self.values("%s service %s" % (name, svc),
                            ["postconf", "-c", tmp, "-x"],
                            [self.dump, d, "service", svc], AUDITED)
            finally:
                shutil.rmtree(tmp)


# ---------------------------------------------------------------- generator

CUSTOM = ["x%d" % i for i in range(5)]
TARGETS = ["smtpd_banner", "smtpd_client_restrictions", "smtpd_helo_restrictions",
           "smtpd_recipient_restrictions", "smtpd_relay_restrictions", "relay_domains",
           "mydestination", "disable_vrfy_command",
           "smtpd_helo_required", "smtpd_tls_security_level", "smtp_tls_security_level",
           "relayhost", "smtpd_delay_reject", "smtpd_sasl_auth_enable", "myorigin",
           "smtpd_relay_before_recipient_restrictions", "virtual_alias_domains"]
WORDS = ["permit_mynetworks", "reject", "permit", "reject_unauth_destination",
         "permit_sasl_authenticated", "yes", "no", "may", "encrypt", "example.com",
         "127.0.0.1", "loopback-only", "all", "host", "subnet", "[192.0.2.1]:587", "42", "7"]


def gen_value(rng, refs, depth=0):
    kind = rng.randrange(9 if depth < 2 else 3)
    if kind == 0 or not refs:
        return rng.choice(WORDS)
    if kind == 1:
        return ", ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 3)))
    if kind == 2:
        r = rng.choice(refs)
        return rng.choice(["$%s", "${%s}", "$(%s)"]) % r
    if kind == 3:
        return "${%s?{%s}:{%s}}" % (rng.choice(refs + ["undefined_x"]),
                                    gen_value(rng, refs, depth + 1),
                                    gen_value(rng, refs, depth + 1))
    if kind == 4:
        return "${%s?%s}" % (rng.choice(refs + ["undefined_y"]), rng.choice(WORDS))
    if kind == 5:
        return "${%s:%s}" % (rng.choice(refs + ["undefined_z"]), rng.choice(WORDS))
    if kind == 6:
        op = rng.choice(["==", "!=", "<", "<=", ">", ">="])
        a = rng.choice(["$" + rng.choice(refs), "7", "42", "abc", "007"])
        b = rng.choice(["$" + rng.choice(refs), "7", "42", "abd", "7"])
        return "${{%s} %s {%s} ? {%s} : {%s}}" % (a, op, b, gen_value(rng, refs, depth + 1),
                                                   gen_value(rng, refs, depth + 1))
    if kind == 7:
        return "%s $$literal %s" % (rng.choice(WORDS), "$" + rng.choice(refs))
    return "%s, %s" % (gen_value(rng, refs, depth + 1), gen_value(rng, refs, depth + 1))


def emit_setting(rng, name, value):
    sep = rng.choice([" = ", "=", " =", "= ", "\t=\t"])
    parts = value.split(", ")
    if len(parts) > 1 and rng.random() < 0.5:
        out = name + sep + parts[0] + ","
        for p in parts[1:-1]:
            out += "\n" + rng.choice(["    ", "\t", " "]) + p + ","
            if rng.random() < 0.3:
                out += "\n" + rng.choice(["# comment", "   # indented comment", ""])
        out += "\n" + rng.choice(["    ", "\t"]) + parts[-1]
        return out + "\n"
    return name + sep + value + rng.choice(["", " ", "\t"]) + "\n"


def gen_config(rng, d):
    os.makedirs(d)
    lines = []
    if rng.random() < 0.8:
        lines.append("compatibility_level = %s\n" %
                     rng.choice(["0", "1", "2", "3.6", "3.10", "${lvl}"]))
        lines.append("lvl = %s\n" % rng.choice(["0", "2", "3.6"]))
    for i, c in enumerate(CUSTOM):
        if rng.random() < 0.7:
            lines.append(emit_setting(rng, c, gen_value(rng, CUSTOM[:i] + ["mail_name", "myhostname"])))
    # values Postfix validates (a bad one is fatal): from their own pools
    if rng.random() < 0.5:
        lines.append(emit_setting(rng, "mynetworks_style", rng.choice(
            ["host", "subnet", "class", "${x9?{host}:{subnet}}"])))
    if rng.random() < 0.5:
        lines.append(emit_setting(rng, "inet_interfaces", rng.choice(
            ["all", "loopback-only", "127.0.0.1", "127.0.0.1, ::1", "$x9"])))
    if rng.random() < 0.3:
        lines.append("x9 = %s\n" % rng.choice(["all", "", "host"]))
    for _ in range(rng.randint(3, 10)):
        t = rng.choice(TARGETS)
        # no self-reference: a known parameter that refers to itself is a
        # fatal error for postconf wherever it is used
        refs = [r for r in CUSTOM + ["myhostname", "mydestination"] if r != t]
        lines.append(emit_setting(rng, t, gen_value(rng, refs)))
        if rng.random() < 0.25:  # duplicate: the last one wins
            lines.append(emit_setting(rng, t, gen_value(rng, CUSTOM)))
        if rng.random() < 0.2:
            lines.append(rng.choice(["# comment\n", "\n", "   \n"]))
    rng.shuffle(lines)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write("".join(lines))
    master = ["smtp inet n - y - - smtpd\n", "pickup unix n - y 60 1 pickup\n"]
    names = ["submission", "smtps", "2525", "127.0.0.1:2526", "[::1]:2527",
             "localhost:2528", "10025"]
    # distinct names: postconf -P merges the -o of duplicate entries
    for svc in rng.sample(names, rng.randint(0, 3)):
        cmd = rng.choice(["smtpd", "smtpd", "postscreen"])
        entry = "%s inet n - y - - %s" % (svc, cmd)
        for _ in range(rng.randint(0, 4)):
            t = rng.choice(TARGETS + CUSTOM)
            v = gen_value(rng, [r for r in CUSTOM + ["myhostname"] if r != t])
            if " " in v or rng.random() < 0.3:
                entry += "\n  -o { %s = %s }" % (t, v)
            elif "o" in t + v:
                # postconf -M/-P split "-oname=value" at any later "o" (the
                # daemons do not): keep the joined form out of its way
                entry += rng.choice(["\n  -o %s=%s", " -o %s=%s"]) % (t, v)
            else:
                entry += rng.choice(["\n  -o %s=%s", " -o %s=%s", " -o%s=%s"]) % (t, v)
        master.append(entry + "\n")
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("".join(master))


def main():
    dump, cases_dir = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    count = int(os.environ.get("MPFX_RANDOM_COUNT", RANDOM_COUNT))
    chk = Checker(dump)
    gen_root = tempfile.mkdtemp(prefix="mpfx-gen-")
    dirs = []
    try:
        for c in sorted(os.listdir(cases_dir)):
            d = os.path.join(gen_root, c)
            shutil.copytree(os.path.join(cases_dir, c), d)
            age(d)
            dirs.append(d)
        rng = random.Random(RANDOM_SEED)
        for i in range(count):
            d = os.path.join(gen_root, "gen-%03d" % i)
            gen_config(rng, d)
            age(d)
            dirs.append(d)
        for d in dirs:
            before = chk.failures
            chk.case(d)
            if chk.failures != before and "/gen-" in d:
                for f in ("main.cf", "master.cf"):
                    sys.stdout.write("---- %s/%s\n" % (os.path.basename(d), f))
                    with open(os.path.join(d, f)) as fh:
                        sys.stdout.write(fh.read())
    finally:
        shutil.rmtree(gen_root)
    print("%d configurations, %d comparisons, %d mismatches" %
          (len(dirs), chk.comparisons, chk.failures))
    return 1 if chk.failures else 0


if __name__ == "__main__":
    sys.exit(main())
