/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks audit lines against facts taken from the official schemas ({@code schema/ecs.json} from elastic/ecs
 * v9.4.0, {@code schema/ocsf.json} from ocsf/ocsf-schema v1.8.0; {@code schema/extract.py} writes both). Each check
 * answers the list of what is wrong, empty for a good line. What is checked is listed in the broker README.
 */
public final class SchemaCheck {

  private static final Map<String, Object> ECS = load("/schema/ecs.json");
  private static final Map<String, Object> OCSF = load("/schema/ocsf.json");
  private static final Set<String> OCSF_STRINGS = Set.of("string_t", "username_t", "ip_t", "email_t", "hostname_t",
      "file_hash_t", "url_t", "mac_t", "resource_uid_t", "uuid_t", "subnet_t", "datetime_t", "file_name_t",
      "file_path_t", "process_name_t", "reg_key_path_t");
  private static final Set<String> OCSF_INTEGERS = Set.of("integer_t", "long_t", "port_t", "timestamp_t");
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d"
      + "|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.%a-zA-Z0-9]*");

  private SchemaCheck() {
  }

  /** The ECS version of the reference. */
  public static String ecsVersion() {
    return (String) ECS.get("version");
  }

  /** The OCSF version of the reference. */
  public static String ocsfVersion() {
    return (String) OCSF.get("version");
  }

  /** What is wrong with {@code line} as an ECS document. */
  @SuppressWarnings("unchecked")
  public static List<String> ecs(String line) {
    List<String> problems = new ArrayList<>();
    Map<String, Object> flat = JsonTree.flatten(JsonTree.object(line));
    Map<String, Object> fields = (Map<String, Object>) ECS.get("fields");
    for (String required : List.of("@timestamp", "message", "ecs.version", "event.kind", "event.category",
        "event.type", "event.action")) {
      if (!flat.containsKey(required)) {
        problems.add("missing " + required);
      }
    }
    if (!ecsVersion().equals(flat.get("ecs.version"))) {
      problems.add("ecs.version " + flat.get("ecs.version") + " is not " + ecsVersion());
    }
    for (Map.Entry<String, Object> e : flat.entrySet()) {
      String key = e.getKey();
      if (key.startsWith("mqtt.")) {
        if (fields.keySet().stream().anyMatch(f -> f.startsWith("mqtt."))) {
          problems.add("mqtt.* is an ECS field set now; custom fields must move");
        }
        continue;
      }
      Map<String, Object> field = (Map<String, Object>) fields.get(key);
      if (field == null) {
        problems.add(key + " is not an ECS field");
        continue;
      }
      List<String> normalize = (List<String>) field.getOrDefault("normalize", List.of());
      Object value = e.getValue();
      if (normalize.contains("array") && !(value instanceof List)) {
        problems.add(key + " must be an array");
      }
      List<Object> values = value instanceof List<?> l ? (List<Object>) l : List.of(value);
      for (Object v : values) {
        String type = (String) field.get("type");
        String wrong = ecsType(type, v);
        if (wrong != null) {
          problems.add(key + " (" + type + "): " + wrong);
        }
        List<String> allowed = (List<String>) field.get("allowed");
        if (allowed != null && !allowed.contains(v)) {
          problems.add(key + ": " + v + " is not one of " + allowed);
        }
      }
    }
    Map<String, List<String>> expected = (Map<String, List<String>>) ECS.get("expected_event_types");
    if (flat.get("event.category") instanceof List<?> categories && flat.get("event.type") instanceof List<?> types) {
      for (Object c : categories) {
        List<String> ok = expected.getOrDefault(c, List.of());
        for (Object t : types) {
          if (!ok.isEmpty() && !ok.contains(t)) {
            problems.add("event.type " + t + " is not expected with event.category " + c + " (" + ok + ")");
          }
        }
      }
    }
    return problems;
  }

  private static String ecsType(String type, Object v) {
    return switch (type) {
      case "keyword", "constant_keyword", "wildcard", "match_only_text", "text" ->
          v instanceof String ? null : "not a string: " + v;
      case "long", "integer", "short", "byte", "unsigned_long" -> v instanceof Long ? null : "not an integer: " + v;
      case "float", "double", "scaled_float", "half_float" -> v instanceof Number ? null : "not a number: " + v;
      case "boolean" -> v instanceof Boolean ? null : "not a boolean: " + v;
      case "date" -> {
        try {
          Instant.parse((String) v);
          yield null;
        } catch (ClassCastException | DateTimeParseException e) {
          yield "not an ISO-8601 time: " + v;
        }
      }
      case "ip" -> v instanceof String s && (IPV4.matcher(s).matches() || IPV6.matcher(s).matches()) ? null
          : "not an IP address: " + v;
      default -> "type " + type + " is not one this check knows";
    };
  }

  /** What is wrong with {@code line} as an OCSF event. */
  @SuppressWarnings("unchecked")
  public static List<String> ocsf(String line) {
    List<String> problems = new ArrayList<>();
    Map<String, Object> event = JsonTree.object(line);
    Object uid = event.get("class_uid");
    Map<String, Object> cls = (Map<String, Object>) ((Map<String, Object>) OCSF.get("classes"))
        .get(String.valueOf(uid));
    if (cls == null) {
      problems.add("class_uid " + uid + " is not a class of the reference");
      return problems;
    }
    Map<String, Object> attributes = (Map<String, Object>) cls.get("attributes");
    check(event, attributes, "", problems);
    if (!cls.get("category_uid").equals(event.get("category_uid"))) {
      problems.add("category_uid " + event.get("category_uid") + " is not " + cls.get("category_uid"));
    }
    if (event.get("activity_id") instanceof Long a && !Long.valueOf(((Long) uid) * 100 + a).equals(
        event.get("type_uid"))) {
      problems.add("type_uid " + event.get("type_uid") + " is not class_uid * 100 + activity_id");
    }
    Object metadata = event.get("metadata");
    if (!(metadata instanceof Map<?, ?> m) || !ocsfVersion().equals(m.get("version"))) {
      problems.add("metadata.version is not " + ocsfVersion());
    }
    return problems;
  }

  @SuppressWarnings("unchecked")
  private static void check(Map<String, Object> object, Map<String, Object> attributes, String path,
                            List<String> problems) {
    for (Map.Entry<String, Object> a : attributes.entrySet()) {
      if ("required".equals(((Map<String, Object>) a.getValue()).get("requirement"))
          && !object.containsKey(a.getKey())) {
        problems.add("missing required " + path + a.getKey());
      }
    }
    for (Map.Entry<String, Object> e : object.entrySet()) {
      String key = path + e.getKey();
      Map<String, Object> attribute = (Map<String, Object>) attributes.get(e.getKey());
      if (attribute == null) {
        problems.add(key + " is not an attribute here");
        continue;
      }
      boolean array = Boolean.TRUE.equals(attribute.get("array"));
      if (array != e.getValue() instanceof List) {
        problems.add(key + (array ? " must" : " must not") + " be an array");
        continue;
      }
      List<Object> values = array ? (List<Object>) e.getValue() : List.of(e.getValue());
      for (Object v : values) {
        value(key, (String) attribute.get("type"), (List<Object>) attribute.get("enum"), v, problems);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void value(String key, String type, List<Object> allowed, Object v, List<String> problems) {
    if (allowed != null && !allowed.contains(v)) {
      problems.add(key + ": " + v + " is not one of " + allowed);
    }
    if (OCSF_STRINGS.contains(type)) {
      if (!(v instanceof String)) {
        problems.add(key + " (" + type + "): not a string: " + v);
      }
    } else if (OCSF_INTEGERS.contains(type)) {
      if (!(v instanceof Long)) {
        problems.add(key + " (" + type + "): not an integer: " + v);
      }
    } else if (type.equals("float_t")) {
      if (!(v instanceof Number)) {
        problems.add(key + " (" + type + "): not a number: " + v);
      }
    } else if (type.equals("boolean_t")) {
      if (!(v instanceof Boolean)) {
        problems.add(key + " (" + type + "): not a boolean: " + v);
      }
    } else if (type.equals("object") || type.equals("json_t")) {
      // free-form: unmapped
    } else {
      Map<String, Object> object = (Map<String, Object>) ((Map<String, Object>) OCSF.get("objects")).get(type);
      if (object == null) {
        problems.add(key + ": the reference has no object " + type + " (add it to extract.py)");
      } else if (!(v instanceof Map)) {
        problems.add(key + " (" + type + "): not an object: " + v);
      } else {
        check((Map<String, Object>) v, (Map<String, Object>) object.get("attributes"), key + ".", problems);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> load(String resource) {
    try (InputStream in = SchemaCheck.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the class path");
      }
      return (Map<String, Object>) JsonTree.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
