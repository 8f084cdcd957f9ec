/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.cli;

import io.mqttsec.acl.Access;
import io.mqttsec.acl.AclPolicy;
import io.mqttsec.acl.AclRule;
import io.mqttsec.acl.SubscribeMode;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import io.mqttsec.api.Decision;
import io.mqttsec.api.InvalidTopicException;
import io.mqttsec.api.Topics;
import io.mqttsec.internal.Checks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code mqtt-sec acl}: ask an ACL file a question, test it against a table, lint it. */
@Command(name = "acl", mixinStandardHelpOptions = true,
    description = "Check, test and lint an ACL file (mosquitto acl_file format).",
    subcommands = {AclCommand.Check.class, AclCommand.Test.class, AclCommand.Lint.class})
final class AclCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: check, test or lint");
  }

  /** Checks a topic or filter first, so a typo is an input error rather than a silent deny. */
  static void validate(Action action, String topic, String where) {
    try {
      if (action == Action.SUBSCRIBE) {
        Topics.validateFilter(topic);
      } else {
        Topics.validateName(topic);
      }
    } catch (InvalidTopicException e) {
      throw CliException.input(where + "invalid " + (action == Action.SUBSCRIBE ? "topic filter" : "topic name")
          + " \"" + topic + "\": " + e.getMessage());
    }
  }

  /** The subscribe mode the broker runs the ACL in. */
  static final class Mode {
    @Option(names = "--filter-on-delivery", description = "Decide SUBSCRIBE as the broker's filter-on-delivery "
        + "mode does (granted when the filter intersects a read rule) instead of strictly.")
    boolean filterOnDelivery;

    AclPolicy parse(Path file) {
      AclPolicy policy = AclPolicy.parse(file);
      return filterOnDelivery ? policy.withSubscribeMode(SubscribeMode.FILTER_ON_DELIVERY) : policy;
    }
  }

  static String format(Decision d) {
    return (d.allowed() ? "allow " : "deny  ") + d.reason();
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "Print allow or deny and the deciding rule; exit 1 on deny.")
  static final class Check implements Callable<Integer> {
    private final Terminal terminal;

    @Parameters(index = "0", paramLabel = "FILE", description = "The ACL (mosquitto acl_file).")
    Path file;

    @Option(names = "--user", paramLabel = "USER", description = "The user name (none: anonymous).")
    String user;

    @Option(names = "--client", paramLabel = "ID", description = "The client id (default: the user name).")
    String client;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ActionChoice action;

    @Parameters(index = "1", paramLabel = "TOPIC", description = "A topic (publish, receive) or a filter "
        + "(subscribe).")
    String topic;

    @CommandLine.Mixin
    Mode mode = new Mode();

    Check(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      Action a = action.action();
      validate(a, topic, "");
      AclPolicy policy = mode.parse(file);
      String id = client != null ? client : user != null ? user : "";
      Decision d = policy.check(ClientIdentity.of(user, id), a, topic);
      terminal.out.println(format(d));
      return d.allowed() ? 0 : CliException.CHECK_FAILED;
    }
  }

  /** Exactly one of the three actions. */
  static final class ActionChoice {
    @Option(names = "--publish", description = "A PUBLISH to TOPIC.")
    boolean publish;

    @Option(names = "--subscribe", description = "A SUBSCRIBE to the filter TOPIC.")
    boolean subscribe;

    @Option(names = "--receive", description = "Delivery of a message on TOPIC.")
    boolean receive;

    Action action() {
      return publish ? Action.PUBLISH : subscribe ? Action.SUBSCRIBE : Action.RECEIVE;
    }
  }

  @Command(name = "test", mixinStandardHelpOptions = true,
      description = {"Run a table of expected decisions; exit 1 on any mismatch.",
          "CASES is tab-separated: user, client, action (publish|subscribe|receive), topic, allow|deny.",
          "'-' is an empty user (anonymous) or client id; '#' starts a comment line."})
  static final class Test implements Callable<Integer> {
    private final Terminal terminal;

    @Parameters(index = "0", paramLabel = "FILE", description = "The ACL (mosquitto acl_file).")
    Path file;

    @Parameters(index = "1", paramLabel = "CASES", description = "The cases: tab-separated user, client, action, "
        + "topic, expected (allow or deny).")
    Path cases;

    @CommandLine.Mixin
    Mode mode = new Mode();

    Test(Terminal terminal) {
      this.terminal = terminal;
    }

    private record Case(int line, String user, String client, Action action, String topic, boolean allow) {
    }

    @Override
    public Integer call() throws IOException {
      AclPolicy policy = mode.parse(file);
      List<Case> table = read(cases);
      int failed = 0;
      for (Case c : table) {
        Decision d = policy.check(ClientIdentity.of(c.user, c.client), c.action, c.topic);
        if (d.allowed() != c.allow) {
          failed++;
          terminal.out.println(cases + ":" + c.line + ": FAIL " + (c.user == null ? "-" : c.user) + " "
              + c.action.toString().toLowerCase(Locale.ROOT) + " " + c.topic + ": expected "
              + (c.allow ? "allow" : "deny") + ", got " + format(d));
        }
      }
      terminal.out.println(table.size() + " case(s), " + (table.size() - failed) + " passed, " + failed
          + " failed");
      return failed == 0 ? 0 : CliException.CHECK_FAILED;
    }

    private static List<Case> read(Path cases) throws IOException {
      List<String> lines = Files.readAllLines(cases, StandardCharsets.UTF_8);
      if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
        throw CliException.input(cases + ":1:1: " + Checks.BYTE_ORDER_MARK);
      }
      List<Case> table = new ArrayList<>();
      for (int n = 1; n <= lines.size(); n++) {
        String line = lines.get(n - 1);
        if (line.isBlank() || line.stripLeading().startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        String where = cases + ":" + n + ": ";
        if (f.length != 5) {
          throw CliException.input(where + "expected 5 tab-separated fields (user, client, action, topic, "
              + "allow|deny), found " + f.length);
        }
        Action action = switch (f[2].strip()) {
          case "publish" -> Action.PUBLISH;
          case "subscribe" -> Action.SUBSCRIBE;
          case "receive" -> Action.RECEIVE;
          default -> throw CliException.input(where + "field 3: action \"" + f[2] + "\" is not publish, "
              + "subscribe or receive");
        };
        String expected = f[4].strip();
        if (!expected.equals("allow") && !expected.equals("deny")) {
          throw CliException.input(where + "field 5: expected allow or deny, found \"" + f[4] + "\"");
        }
        validate(action, f[3], where + "field 4: ");
        String user = f[0].equals("-") ? null : f[0];
        String client = f[1].equals("-") ? "" : f[1];
        table.add(new Case(n, user, client, action, f[3], expected.equals("allow")));
      }
      if (table.isEmpty()) {
        throw CliException.input(cases + ": no test cases");
      }
      return table;
    }
  }

  @Command(name = "lint", mixinStandardHelpOptions = true,
      description = "Warn about risky or dead rules; exit 1 when there is a warning.")
  static final class Lint implements Callable<Integer> {
    private final Terminal terminal;

    @Parameters(index = "0", paramLabel = "FILE", description = "The ACL (mosquitto acl_file).")
    Path file;

    @Option(names = "--admin", paramLabel = "USER", split = ",",
        description = "Users that may be granted '#' (comma-separated).")
    Set<String> admins = Set.of();

    Lint(Terminal terminal) {
      this.terminal = terminal;
    }

    @Override
    public Integer call() {
      List<String> warnings = lint(file, AclRule.readAll(file), admins);
      warnings.forEach(terminal.out::println);
      terminal.out.println(warnings.isEmpty() ? "no warnings" : warnings.size() + " warning(s)");
      return warnings.isEmpty() ? 0 : CliException.CHECK_FAILED;
    }
  }

  /** The linter's findings, in line order, as {@code file:line: warning: ...}. */
  static List<String> lint(Path file, List<AclRule> rules, Set<String> admins) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      AclRule r = rules.get(i);
      String at = file + ":" + r.line() + ": warning: ";
      String[] levels = r.filter().split("/", -1);
      boolean hasIdentity = false;
      for (String level : levels) {
        boolean identity = level.contains("%u") || level.contains("%c");
        hasIdentity |= identity;
        if (r.pattern() && identity && !level.equals("%u") && !level.equals("%c")) {
          out.add(at + "\"" + level + "\" is not a whole level: the identity should fill a level on its own ("
              + "factory/%u/#), or one device's name can be a prefix of another's");
        }
      }
      if (r.pattern() && !hasIdentity) {
        out.add(at + "pattern without %u or %c applies to every client alike; write it as a topic line if "
            + "that is meant");
      }
      boolean grants = r.access() != Access.DENY;
      String who = r.pattern() ? "every client" : r.user().map(u -> "user " + u).orElse("anonymous clients");
      if (grants && r.filter().equals("#") && (r.pattern() || r.user().isEmpty()
          || !admins.contains(r.user().get()))) {
        out.add(at + "grants '#' (every topic) to " + who + "; only an admin should have it (--admin names "
            + "admins)");
      }
      if ((r.access() == Access.WRITE || r.access() == Access.READWRITE)
          && (r.filter().equals("$SYS") || r.filter().startsWith("$SYS/"))) {
        out.add(at + "write access to $SYS lets " + who + " forge the broker's own status topics");
      }
      shadowedBy(rules, i).ifPresent(earlier -> out.add(at + "never decides: line " + earlier.line() + " ("
          + earlier + ") " + (earlier.access() == Access.DENY ? "denies" : "grants") + " everything it matches "
          + "first"));
    }
    return out;
  }

  /**
   * Another rule of the same list that decides every topic {@code rules[i]} matches before it can: for an
   * allow, a deny anywhere in the list whose filter covers it (denies are tested before allows), or an earlier
   * allow with at least its access whose filter covers it (the first matching allow decides); for a deny, an
   * earlier deny whose filter covers it.
   */
  private static Optional<AclRule> shadowedBy(List<AclRule> rules, int i) {
    AclRule r = rules.get(i);
    boolean allow = r.access() != Access.DENY;
    for (int j = 0; j < rules.size(); j++) {
      AclRule e = rules.get(j);
      if (j == i || e.pattern() != r.pattern() || !e.user().equals(r.user())
          || !Topics.covers(e.filter(), r.filter())) {
        continue;
      }
      boolean deny = e.access() == Access.DENY;
      if ((deny && (allow || j < i)) || (!deny && allow && j < i && grants(e.access(), r.access()))) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  private static boolean grants(Access earlier, Access later) {
    return earlier == later || earlier == Access.READWRITE;
  }
}
