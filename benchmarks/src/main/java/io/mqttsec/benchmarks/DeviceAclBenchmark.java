/*
 * Copyright 2026 the mqtt-sec authors
 * SPDX-License-Identifier: Apache-2.0
 */
package io.mqttsec.benchmarks;

import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extensions.auth.parameter.TopicPermissionImpl;
import com.hivemq.extensions.packets.general.ModifiableDefaultPermissionsImpl;
import com.hivemq.mqtt.handler.publish.DefaultPermissionsEvaluator;
import com.hivemq.mqtt.message.QoS;
import com.hivemq.mqtt.message.publish.PUBLISH;
import com.hivemq.mqtt.message.publish.PUBLISHFactory;
import com.hivemq.mqtt.message.subscribe.Topic;
import io.mqttsec.acl.AclPolicy;
import io.mqttsec.acl.AclView;
import io.mqttsec.api.Action;
import io.mqttsec.api.ClientIdentity;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A device fleet's ACL checks ({@link FleetAcl}) in mqtt-sec, through each client's {@link AclView}, and in HiveMQ
 * CE's own {@code DefaultPermissionsEvaluator}, through each client's default permissions as HiveMQ's file-RBAC
 * extension sets them at CONNECT (its rules with its name put in): the same rules, the same requests, one JVM.
 * Every connected client's view (or permissions) is built in {@code @Setup}, as a broker holds them for its
 * sessions; each call checks the next of 4,096 requests, spread over the fleet, so that a large fleet's clients
 * are read from memory, not cache.
 *
 * <ul>
 *   <li>{@code publishOwn}: a device publishes in its subtree (allowed); {@code publishNeighbour}: in another
 *       device's (denied); {@code subscribeOwn}: subscribes to its subtree's {@code cmd/#} (allowed);
 *   <li>{@code dashboardReceive}: the dashboard gets a device's message (allowed; HiveMQ checks no delivery, so
 *       its figure is the dashboard's subscription to that topic);
 *   <li>{@code wideAllow}, {@code wideDeny}: the client with 1,000 rules publishes in an allowed area, and where
 *       no rule matches;
 *   <li>{@code connect}: what a CONNECT costs: a device's view of a policy it has not been seen by (mqtt-sec), its
 *       permissions built (HiveMQ).
 * </ul>
 *
 * <p>Run: {@code python3 benchmarks/hivemq_acl.py} (HiveMQ CE is not in {@code benchmarks.jar}, so the script
 * runs JMH on the Maven class path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {"-Xms4g", "-Xmx4g"})
public class DeviceAclBenchmark {

  private static final int REQUESTS = 4_096;
  private static final int MASK = REQUESTS - 1;

  @Param({"10", "10000", "100000"})
  public int devices;

  @Param({"mqtt-sec", "hivemq"})
  public String engine;

  private boolean ours;
  // mqtt-sec
  private AclPolicy policy;
  private AclView[] views;
  private AclView dashboard;
  private AclView wide;
  private ClientIdentity[] arriving;
  // HiveMQ
  private ModifiableDefaultPermissionsImpl[] permissions;
  private ModifiableDefaultPermissionsImpl dashboardPermissions;
  private ModifiableDefaultPermissionsImpl widePermissions;
  private PUBLISH[] ownPublish;
  private PUBLISH[] neighbourPublish;
  private PUBLISH[] wideAllowPublish;
  private PUBLISH[] wideDenyPublish;
  private Topic[] ownSubscribe;
  private Topic[] receiveAsSubscribe;
  // both
  private int[] device;
  private String[] own;
  private String[] neighbour;
  private String[] ownFilter;
  private String[] wideAllowed;
  private String[] wideDenied;
  private int i;
  private int arrivals;

  @Setup(Level.Trial)
  public void setUp() {
    ours = engine.equals("mqtt-sec");
    FleetAcl fleet = new FleetAcl(devices);
    SplittableRandom random = new SplittableRandom(42);
    device = new int[REQUESTS];
    own = new String[REQUESTS];
    neighbour = new String[REQUESTS];
    ownFilter = new String[REQUESTS];
    wideAllowed = new String[REQUESTS];
    wideDenied = new String[REQUESTS];
    for (int k = 0; k < REQUESTS; k++) {
      int d = random.nextInt(devices);
      device[k] = d;
      own[k] = "factory/" + FleetAcl.device(d) + "/temp";
      neighbour[k] = "factory/" + FleetAcl.device((d + 1) % devices) + "/temp";
      ownFilter[k] = "factory/" + FleetAcl.device(d) + "/cmd/#";
      int area = random.nextInt(FleetAcl.WIDE_RULES / 10) * 10 + random.nextInt(9); // never the 10th, denied
      wideAllowed[k] = FleetAcl.area(area) + "/line-1/temp";
      wideDenied[k] = "plant/elsewhere-" + k + "/temp";
    }
    if (ours) {
      policy = AclPolicy.parse(fleet.text, "acl.conf");
      views = new AclView[devices];
      for (int d = 0; d < devices; d++) {
        String name = FleetAcl.device(d);
        views[d] = policy.viewFor(ClientIdentity.of(name, name));
      }
      dashboard = policy.viewFor(ClientIdentity.of("dashboard", "dashboard"));
      wide = policy.viewFor(ClientIdentity.of("wide", "wide"));
      // more identities than views are remembered: each CONNECT below builds a view
      arriving = new ClientIdentity[1 << 17];
      for (int k = 0; k < arriving.length; k++) {
        String name = FleetAcl.device(k % devices);
        arriving[k] = ClientIdentity.of(name, name + "-" + k);
      }
    } else {
      permissions = new ModifiableDefaultPermissionsImpl[devices];
      for (int d = 0; d < devices; d++) {
        permissions[d] = permissions(FleetAcl.deviceGrants(d));
      }
      dashboardPermissions = permissions(FleetAcl.dashboardGrants());
      widePermissions = permissions(FleetAcl.wideGrants());
      ownPublish = new PUBLISH[REQUESTS];
      neighbourPublish = new PUBLISH[REQUESTS];
      wideAllowPublish = new PUBLISH[REQUESTS];
      wideDenyPublish = new PUBLISH[REQUESTS];
      ownSubscribe = new Topic[REQUESTS];
      receiveAsSubscribe = new Topic[REQUESTS];
      for (int k = 0; k < REQUESTS; k++) {
        ownPublish[k] = publish(own[k]);
        neighbourPublish[k] = publish(neighbour[k]);
        wideAllowPublish[k] = publish(wideAllowed[k]);
        wideDenyPublish[k] = publish(wideDenied[k]);
        ownSubscribe[k] = new Topic(ownFilter[k], QoS.AT_LEAST_ONCE);
        receiveAsSubscribe[k] = new Topic(own[k], QoS.AT_LEAST_ONCE);
      }
    }
    verify();
  }

  /** Both engines decide the mixes as the rules say, or the figures would compare different work. */
  private void verify() {
    for (int k = 0; k < 64; k++) {
      i = k;
      require(publishOwn(), true, "publishOwn");
      i = k;
      require(publishNeighbour(), devices == 1, "publishNeighbour");
      i = k;
      require(subscribeOwn(), true, "subscribeOwn");
      i = k;
      require(dashboardReceive(), true, "dashboardReceive");
      i = k;
      require(wideAllow(), true, "wideAllow");
      i = k;
      require(wideDeny(), false, "wideDeny");
    }
    i = 0;
  }

  private void require(boolean actual, boolean expected, String mix) {
    if (actual != expected) {
      throw new IllegalStateException(engine + " " + mix + " decided " + actual + " at request " + i);
    }
  }

  private static ModifiableDefaultPermissionsImpl permissions(List<FleetAcl.Grant> grants) {
    ModifiableDefaultPermissionsImpl p = new ModifiableDefaultPermissionsImpl();
    for (FleetAcl.Grant g : grants) {
      TopicPermission.MqttActivity activity = g.publish() && g.subscribe() ? TopicPermission.MqttActivity.ALL
          : g.publish() ? TopicPermission.MqttActivity.PUBLISH : TopicPermission.MqttActivity.SUBSCRIBE;
      p.add(new TopicPermissionImpl(g.filter(), g.deny() ? TopicPermission.PermissionType.DENY
          : TopicPermission.PermissionType.ALLOW, TopicPermission.Qos.ALL, activity, TopicPermission.Retain.ALL,
          TopicPermission.SharedSubscription.ALL, "#"));
    }
    p.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
    return p;
  }

  private static PUBLISH publish(String topic) {
    return new PUBLISHFactory.Mqtt5Builder().withTopic(topic).withQoS(QoS.AT_LEAST_ONCE)
        .withOnwardQos(QoS.AT_LEAST_ONCE).withPayload(new byte[] {1}).withHivemqId("bench").build();
  }

  private int next() {
    return i++ & MASK;
  }

  @Benchmark
  public boolean publishOwn() {
    int k = next();
    return ours ? views[device[k]].authorize(Action.PUBLISH, own[k]).allowed()
        : DefaultPermissionsEvaluator.checkPublish(permissions[device[k]], ownPublish[k]);
  }

  @Benchmark
  public boolean publishNeighbour() {
    int k = next();
    return ours ? views[device[k]].authorize(Action.PUBLISH, neighbour[k]).allowed()
        : DefaultPermissionsEvaluator.checkPublish(permissions[device[k]], neighbourPublish[k]);
  }

  @Benchmark
  public boolean subscribeOwn() {
    int k = next();
    return ours ? views[device[k]].authorize(Action.SUBSCRIBE, ownFilter[k]).allowed()
        : DefaultPermissionsEvaluator.checkSubscription(permissions[device[k]], ownSubscribe[k]);
  }

  @Benchmark
  public boolean dashboardReceive() {
    int k = next();
    return ours ? dashboard.authorize(Action.RECEIVE, own[k]).allowed()
        : DefaultPermissionsEvaluator.checkSubscription(dashboardPermissions, receiveAsSubscribe[k]);
  }

  @Benchmark
  public boolean wideAllow() {
    int k = next();
    return ours ? wide.authorize(Action.PUBLISH, wideAllowed[k]).allowed()
        : DefaultPermissionsEvaluator.checkPublish(widePermissions, wideAllowPublish[k]);
  }

  @Benchmark
  public boolean wideDeny() {
    int k = next();
    return ours ? wide.authorize(Action.PUBLISH, wideDenied[k]).allowed()
        : DefaultPermissionsEvaluator.checkPublish(widePermissions, wideDenyPublish[k]);
  }

  @Benchmark
  public Object connect() {
    int k = arrivals++;
    if (ours) {
      return policy.viewFor(arriving[k & (arriving.length - 1)]);
    }
    return permissions(FleetAcl.deviceGrants(k % devices));
  }
}
