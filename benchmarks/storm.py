#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""A fleet's reconnect storm: runs io.mqttsec.benchmarks.ReconnectStorm on the Maven class path.

Usage: python3 benchmarks/storm.py [DEVICES]   (default 5000; after `mvn -B -DskipTests install`)
"""
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
devices = sys.argv[1] if len(sys.argv) > 1 else "5000"
with tempfile.NamedTemporaryFile("r", suffix=".cp") as cp:
    subprocess.run(["mvn", "-B", "-q", "-o", "-Dstyle.color=never", "-pl", "benchmarks", "compile",
                    "dependency:build-classpath", "-Dmdep.includeScope=compile",
                    "-Dmdep.outputFile=" + cp.name], cwd=root, check=True)
    classpath = os.path.join(here, "target", "classes") + os.pathsep + cp.read().strip()
subprocess.run(["java", "-Xmx4g", "-cp", classpath, "io.mqttsec.benchmarks.ReconnectStorm", devices], check=True)
