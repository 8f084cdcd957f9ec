#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""Runs a JMH benchmark from one or more jars, alternating them round by round, and pools every measurement
iteration per (jar, benchmark, params): min, p25 and median. On a shared, noisy machine this compares two builds
better than one run of each.

    python3 benchmarks/pooled.py ROUNDS BENCHMARK [JMH OPTIONS...] -- JAR [JAR...]

    python3 benchmarks/pooled.py 3 AclCheckBenchmark -p impl=compiled -- benchmarks/target/benchmarks.jar
    python3 benchmarks/pooled.py 2 AclCheckBenchmark -p impl=compiled -p rules=10,1000000 -- old.jar new.jar

A JAR of the form classpath:CP runs JMH on that class path instead (see hivemq_acl.py).

Each run is 3 warm-up iterations of 1 s and 10 measured iterations of 0.5 s, one fork.
"""
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile


def main(argv):
    if len(argv) < 4 or '--' not in argv:
        sys.exit(__doc__)
    rounds, benchmark = int(argv[1]), argv[2]
    split = argv.index('--')
    options, jars = argv[3:split], argv[split + 1:]
    pooled = collections.defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'result.json')
        for _ in range(rounds):
            for jar in jars:
                runner = (['java', '-cp', jar[len('classpath:'):], 'org.openjdk.jmh.Main']
                          if jar.startswith('classpath:') else ['java', '-jar', jar])
                subprocess.run(runner + [benchmark, '-rf', 'json', '-rff', out,
                                '-wi', '3', '-w', '1s', '-i', '10', '-r', '500ms'] + options,
                               stdout=subprocess.DEVNULL, check=True)
                for result in json.load(open(out)):
                    key = (jar, result['benchmark'].rsplit('.', 1)[-1],
                           tuple(sorted(result.get('params', {}).items())))
                    for fork in result['primaryMetric']['rawData']:
                        pooled[key].extend(fork)
    for key in sorted(pooled, key=lambda k: (k[1], k[2], k[0])):
        values = sorted(pooled[key])
        params = ' '.join('%s=%s' % p for p in key[2])
        print('%s %s %s  min %.1f  p25 %.1f  median %.1f  n=%d' % (
            name(key[0]), key[1], params, values[0], values[len(values) // 4],
            statistics.median(values), len(values)))


def name(jar):
    return 'classpath' if jar.startswith('classpath:') else os.path.basename(jar)


if __name__ == '__main__':
    main(sys.argv)
