#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""mqtt-sec's per-client ACL views against HiveMQ CE's DefaultPermissionsEvaluator: runs JMH's
DeviceAclBenchmark on the Maven class path, which has HiveMQ CE (benchmarks.jar leaves it out).

Usage: python3 benchmarks/hivemq_acl.py [JMH ARGS...]   (after `mvn -B -DskipTests install`)
       e.g. python3 benchmarks/hivemq_acl.py "DeviceAclBenchmark.publish" -p devices=100000 -prof gc
       python3 benchmarks/hivemq_acl.py --pooled ROUNDS [BENCHMARK [JMH OPTIONS...]]   (see pooled.py)
"""
import os
import subprocess
import sys

from classpath import HERE, maven_classpath

args = sys.argv[1:] or ["DeviceAclBenchmark"]
classpath = maven_classpath()
if args[0] == "--pooled":
    rest = args[2:] or ["DeviceAclBenchmark"]
    subprocess.run([sys.executable, os.path.join(HERE, "pooled.py"), args[1]] + rest + ["--", "classpath:" + classpath],
                   check=True)
else:
    subprocess.run(["java", "-cp", classpath, "org.openjdk.jmh.Main"] + args, check=True)
