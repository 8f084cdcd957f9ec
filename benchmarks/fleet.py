#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""The fleet store's figures: runs io.mqttsec.benchmarks.FleetStoreRun on the Maven class path, against the
PostgreSQL that ./run-tests starts (MQTTSEC_TEST_PG_URL, MQTTSEC_TEST_PG_USER and PGPASSWORD, as it sets them).

Usage: python3 benchmarks/fleet.py propagation [CHANGES]          (default 200)
       python3 benchmarks/fleet.py load [USERS [RULES]]           (default 100000 and 1000000)
       (after `mvn -B -DskipTests install`)
"""
import os
import subprocess
import sys

from classpath import maven_classpath

env = dict(os.environ)
env.setdefault("MQTTSEC_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/mqttsec_test")
env.setdefault("MQTTSEC_TEST_PG_USER", "mqttsec_test")
env.setdefault("PGPASSWORD", "mqttsec_test")
what = sys.argv[1] if len(sys.argv) > 1 else "propagation"
args = sys.argv[2:] or (["200"] if what == "propagation" else ["100000", "1000000"])
subprocess.run(["java", "-Xmx8g", "-cp", maven_classpath(), "io.mqttsec.benchmarks.FleetStoreRun", what] + args,
               check=True, env=env)
