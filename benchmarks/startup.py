#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""Fresh-JVM start-up CPU of a gateway's first steps with mqtt-sec (parse a 10-line ACL, build a server SSLContext
from PEM files: StartupMqttSec, on the api, acl and tls jars alone) against the JDK doing the same TLS work
(StartupJdk), alternating, ROUNDS runs each. CPU is the child's user + system time, as the kernel counts it.

    python3 benchmarks/startup.py [ROUNDS] [JAVA]

Needs `mvn -B -DskipTests package` first (the module jars and benchmarks/target/classes) and openssl.
"""
import glob
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACL = """# a gateway's ACL
pattern readwrite factory/%u/#
pattern read factory/config/%c
user dashboard
topic read factory/#
topic read $SYS/#
user gateway-1
topic readwrite factory/line-1/#
topic deny factory/line-1/hvac/#
user admin
topic readwrite #
"""


def jar(module):
    found = [j for j in glob.glob(os.path.join(ROOT, module, "target", module + "-*.jar"))
             if not j.endswith(("-sources.jar", "-javadoc.jar", "-tests.jar", "-shaded.jar"))]
    if not found:
        sys.exit(module + ": no jar; run mvn -B -DskipTests package first")
    return found[0]


def cpu(command):
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execvp(command[0], command)
    _, status, usage = os.wait4(pid, 0)
    if status != 0:
        sys.exit("failed: " + " ".join(command))
    return usage.ru_utime + usage.ru_stime


def main(argv):
    rounds = int(argv[1]) if len(argv) > 1 else 5
    java = argv[2] if len(argv) > 2 else "java"
    classes = os.path.join(ROOT, "benchmarks", "target", "classes")
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "acl.conf"), "w") as f:
            f.write(ACL)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", os.path.join(d, "server.key"), "-out", os.path.join(d, "server.pem"),
                        "-days", "2", "-subj", "/CN=broker"], check=True, capture_output=True)
        ours = [java, "-cp", os.pathsep.join([jar("mqtt-sec-api"), jar("mqtt-sec-acl"), jar("mqtt-sec-tls"),
                                              classes]), "io.mqttsec.benchmarks.StartupMqttSec", d]
        jdk = [java, "-cp", classes, "io.mqttsec.benchmarks.StartupJdk", d]
        cpu(ours), cpu(jdk)  # warm the file cache
        times = {"mqtt-sec": [], "jdk": []}
        for _ in range(rounds):
            times["mqtt-sec"].append(cpu(ours))
            times["jdk"].append(cpu(jdk))
    for name, t in times.items():
        print("%-9s CPU s: %s  median %.3f" % (name, " ".join("%.3f" % x for x in t), statistics.median(t)))
    print("ratio of medians: %.2f" % (statistics.median(times["mqtt-sec"]) / statistics.median(times["jdk"])))


if __name__ == "__main__":
    main(sys.argv)
