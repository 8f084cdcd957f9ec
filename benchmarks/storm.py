#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""A fleet's reconnect storm: runs io.mqttsec.benchmarks.ReconnectStorm on the Maven class path.

Usage: python3 benchmarks/storm.py [DEVICES [ROUNDS [HANDSHAKE_SECONDS]]]
       (default 5000, 5 and 10; after `mvn -B -DskipTests install`)
"""
import subprocess
import sys

from classpath import maven_classpath

args = sys.argv[1:] or ["5000"]
subprocess.run(["java", "-Xmx4g", "-cp", maven_classpath(), "io.mqttsec.benchmarks.ReconnectStorm"] + args,
               check=True)
