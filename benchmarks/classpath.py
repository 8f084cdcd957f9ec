# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""The benchmarks' class path as Maven resolves it, HiveMQ CE and the MQTT client included (benchmarks.jar leaves
out the provided-scope dependencies): for storm.py and hivemq_acl.py."""
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def maven_classpath():
    """Compiles the benchmarks module and returns its classes and every dependency, as one class path."""
    with tempfile.NamedTemporaryFile("r", suffix=".cp") as cp:
        subprocess.run(["mvn", "-B", "-q", "-o", "-Dstyle.color=never", "-pl", "benchmarks", "compile",
                        "dependency:build-classpath", "-Dmdep.includeScope=compile",
                        "-Dmdep.outputFile=" + cp.name], cwd=ROOT, check=True)
        return os.path.join(HERE, "target", "classes") + os.pathsep + cp.read().strip()
