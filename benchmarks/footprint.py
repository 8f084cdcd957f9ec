#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""What a gateway's build pulls in when it depends on mqtt-sec: a throwaway Maven project that declares the given
modules, resolved as a consumer sees them (optional and test dependencies left out), each jar and the total.

    python3 benchmarks/footprint.py [MODULE...]        default: mqtt-sec-api mqtt-sec-acl mqtt-sec-creds mqtt-sec-tls

Needs the modules installed in the local repository (`mvn -B -DskipTests install`).
"""
import os
import subprocess
import sys
import tempfile

POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>gateway</artifactId>
  <version>1</version>
  <dependencies>
%s
  </dependencies>
</project>
"""
DEPENDENCY = """    <dependency>
      <groupId>io.mqttsec</groupId>
      <artifactId>%s</artifactId>
      <version>0.1.0-SNAPSHOT</version>
    </dependency>"""


def main(argv):
    modules = argv[1:] or ["mqtt-sec-api", "mqtt-sec-acl", "mqtt-sec-creds", "mqtt-sec-tls"]
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "pom.xml"), "w") as f:
            f.write(POM % "\n".join(DEPENDENCY % m for m in modules))
        out = os.path.join(d, "cp.txt")
        subprocess.run(["mvn", "-B", "-q", "dependency:build-classpath", "-Dmdep.outputFile=" + out],
                       cwd=d, check=True)
        with open(out) as f:
            jars = [j for j in f.read().strip().split(os.pathsep) if j]
    total = 0
    for j in sorted(jars, key=os.path.getsize, reverse=True):
        size = os.path.getsize(j)
        total += size
        print("%10d  %s" % (size, os.path.basename(j)))
    print("%10d  total, %d jars (%.2f MB)" % (total, len(jars), total / 1e6))


if __name__ == "__main__":
    main(sys.argv)
