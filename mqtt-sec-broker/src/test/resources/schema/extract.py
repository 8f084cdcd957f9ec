#!/usr/bin/env python3
# Copyright 2026 the mqtt-sec authors
# SPDX-License-Identifier: Apache-2.0
"""Writes the two reference files the audit encoder tests check against, from checkouts of the official schemas.

    python3 extract.py ECS_CHECKOUT OCSF_CHECKOUT

ECS_CHECKOUT is elastic/ecs at tag v9.4.0 (it reads generated/ecs/ecs_flat.yml); OCSF_CHECKOUT is ocsf/ocsf-schema at
tag v1.8.0 (it reads version.json, categories.json, dictionary.json, events/ and objects/). The output, ecs.json and
ocsf.json beside this script, holds facts only: field and attribute names, their types, requirements and allowed values.
"""
import json
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

ECS_FIELD_SETS = ("@timestamp", "message", "labels", "tags", "ecs.", "event.", "user.", "source.", "client.",
                  "server.", "tls.", "rule.", "error.", "network.", "observer.", "service.", "related.", "file.")

OCSF_CLASSES = ("iam/authentication", "application/api_activity", "network/network_activity",
                "application/application_lifecycle", "findings/detection_finding")
OCSF_OBJECTS = ("metadata", "product", "user", "network_endpoint", "actor", "api", "resource_details", "certificate",
                "fingerprint", "finding_info", "service", "group", "tls", "observable", "connection_info",
                "network_connection_info", "session", "process", "auth_factor", "request", "response", "analytic", "evidences", "app")


def ecs(checkout):
    flat = yaml.safe_load(open(os.path.join(checkout, "generated/ecs/ecs_flat.yml")))
    fields = {}
    expected = {}
    for name, f in sorted(flat.items()):
        if not name.startswith(ECS_FIELD_SETS):
            continue
        entry = {"type": f["type"]}
        allowed = f.get("allowed_values")
        if allowed:
            entry["allowed"] = [a["name"] for a in allowed]
            if name == "event.category":
                for a in allowed:
                    expected[a["name"]] = a.get("expected_event_types", [])
        if f.get("normalize"):
            entry["normalize"] = f["normalize"]
        fields[name] = entry
    version = flat["ecs.version"]["example"] if "example" in flat["ecs.version"] else None
    return {"source": "elastic/ecs v9.4.0 generated/ecs/ecs_flat.yml", "version": "9.4.0", "ecs.version.example":
            version, "fields": fields, "expected_event_types": expected}


def load(checkout, path):
    with open(os.path.join(checkout, path)) as f:
        return json.load(f)


def merge(base, over):
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for k, v in over.items():
        if k == "$include":
            continue  # profiles: their attributes apply only to events that declare the profile
        if k in out and isinstance(v, dict):
            m = dict(out[k])
            for kk, vv in v.items():
                if kk == "enum" and "enum" in m:
                    e = dict(m["enum"])
                    e.update(vv)
                    m["enum"] = e
                else:
                    m[kk] = vv
            out[k] = m
        else:
            out[k] = v
    return out


def ocsf(checkout):
    dictionary = load(checkout, "dictionary.json")["attributes"]
    categories = {k: v["uid"] for k, v in load(checkout, "categories.json")["attributes"].items()}
    events = {}
    for root, _, files in os.walk(os.path.join(checkout, "events")):
        for f in files:
            if f.endswith(".json"):
                d = load(checkout, os.path.join(root, f))
                events[d["name"]] = (d, os.path.relpath(os.path.join(root, f), os.path.join(checkout, "events")))
    objects = {}
    for f in os.listdir(os.path.join(checkout, "objects")):
        d = load(checkout, os.path.join("objects", f))
        objects[d["name"]] = d

    def attrs(d, table):
        base = attrs(table[d["extends"]][0] if table is events else table[d["extends"]], table) if d.get(
            "extends") else {}
        return merge(base, d.get("attributes", {}))

    def describe(a_name, a):
        entry = dict(dictionary.get(a_name, {}))
        entry = merge({"x": entry}, {"x": a})["x"]
        out = {"type": entry.get("type"), "requirement": a.get("requirement", "optional")}
        if entry.get("is_array"):
            out["array"] = True
        if entry.get("enum"):
            out["enum"] = sorted(int(k) for k in entry["enum"])
        return out

    classes = {}
    for path in OCSF_CLASSES:
        name = path.split("/")[1]
        d, _ = events[name]
        chain = d
        while "category" not in chain:
            chain = events[chain["extends"]][0]
        category_uid = categories[chain["category"]]
        uid = category_uid * 1000 + d["uid"]
        attributes = {k: describe(k, v) for k, v in sorted(attrs(d, events).items())}
        # the base event's enums of these two are placeholders: each class has exactly its own
        attributes["class_uid"]["enum"] = [uid]
        attributes["category_uid"]["enum"] = [category_uid]
        classes[str(uid)] = {"name": name, "category_uid": category_uid, "attributes": attributes}
    objs = {}
    for name in OCSF_OBJECTS:
        if name not in objects:
            continue
        objs[name] = {"attributes": {k: describe(k, v) for k, v in sorted(attrs(objects[name], objects).items())}}
    version = load(checkout, "version.json")["version"]
    return {"source": "ocsf/ocsf-schema v" + version, "version": version, "classes": classes, "objects": objs}


def write(name, data):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    write("ecs.json", ecs(sys.argv[1]))
    write("ocsf.json", ocsf(sys.argv[2]))
