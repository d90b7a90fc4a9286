package dev.twofa.config;

import dev.twofa.Node;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster that cannot be closed (no host, no member list, all interfaces, no shared key) does not start. */
class ClusterPolicyTest {

  @Test
  void clusteringNeedsAHostAndAMemberList() {
    IllegalArgumentException noMembers = assertThrows(IllegalArgumentException.class,
      () -> config(Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "10.0.0.5")));
    assertTrue(noMembers.getMessage().contains("TWOFA_CLUSTER_MEMBERS"), noMembers.getMessage());
    IllegalArgumentException noHost = assertThrows(IllegalArgumentException.class,
      () -> config(Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_MEMBERS", "10.0.0.5,10.0.0.6")));
    assertTrue(noHost.getMessage().contains("TWOFA_CLUSTER_HOST"), noHost.getMessage());
  }

  @Test
  void aDnsNameReplacesTheMemberListNeverBeside() {
    ClusterPolicy byDns = config(Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "10.0.0.5",
      "TWOFA_CLUSTER_DNS", "twofa-cluster.twofa.svc.cluster.local")).cluster();
    assertTrue(byDns.discoversByDns());
    assertEquals("A", byDns.dnsRecordType());
    assertEquals("SRV", config(Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "10.0.0.5",
      "TWOFA_CLUSTER_DNS", "_jgroups._tcp.twofa-cluster.twofa.svc.cluster.local")).cluster().dnsRecordType());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> config(Map.of(
      "TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "10.0.0.5", "TWOFA_CLUSTER_MEMBERS", "10.0.0.5",
      "TWOFA_CLUSTER_DNS", "twofa-cluster")));
    assertTrue(both.getMessage().contains("set one of them"), both.getMessage());
    for (String server : List.of("10.0.0.2", "dns:53:53", "10.0.0.2:port")) {
      IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> config(Map.of(
        "TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "10.0.0.5", "TWOFA_CLUSTER_DNS", "twofa-cluster",
        "TWOFA_CLUSTER_DNS_SERVER", server)));
      assertTrue(bad.getMessage().contains("TWOFA_CLUSTER_DNS_SERVER"), bad.getMessage());
    }
    assertEquals("10.96.0.10:53", config(Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "10.0.0.5",
      "TWOFA_CLUSTER_DNS", "twofa-cluster", "TWOFA_CLUSTER_DNS_SERVER", "10.96.0.10:53")).cluster().dnsServer());
  }

  @Test
  void refusesAllInterfaces() {
    for (String host : List.of("0.0.0.0", "::", "*")) {
      assertThrows(IllegalArgumentException.class,
        () -> config(Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", host, "TWOFA_CLUSTER_MEMBERS", "10.0.0.5")));
    }
  }

  @Test
  void membersWithoutAPortAreOnTheClusterPort() {
    ClusterPolicy cluster = config(Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "10.0.0.5",
      "TWOFA_CLUSTER_MEMBERS", "10.0.0.5, node2:7801,[fd00::7]:7802,[fd00::8]")).cluster();
    assertEquals(7800, cluster.port());
    assertEquals(List.of(new ClusterPolicy.Member("10.0.0.5", 7800), new ClusterPolicy.Member("node2", 7801),
      new ClusterPolicy.Member("fd00::7", 7802), new ClusterPolicy.Member("fd00::8", 7800)), cluster.memberList());
    assertEquals("[fd00::7]:7802", cluster.memberList().get(2).toString());
  }

  @Test
  void refusesAMalformedMember() {
    for (String members : List.of("node1:0", "node1:http", ":7800", "[fd00::7", "node1:70000")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(Map.of("TWOFA_CLUSTER", "true",
        "TWOFA_CLUSTER_HOST", "10.0.0.5", "TWOFA_CLUSTER_MEMBERS", members)), members);
      assertTrue(e.getMessage().contains(members), e.getMessage());
    }
  }

  @Test
  void clusteringWithoutTheSharedKeyRefusesToStart() {
    Map<String, String> clustered = Map.of("TWOFA_CLUSTER", "true", "TWOFA_CLUSTER_HOST", "127.0.0.1",
      "TWOFA_CLUSTER_MEMBERS", "127.0.0.1");
    String csrfOnly = Base64.getEncoder().encodeToString(new byte[32]);
    for (Map<String, String> keys : List.of(Map.<String, String>of(),
        Map.of("TWOFA_VERTICLES", "http", "TWOFA_CSRF_KEY", csrfOnly))) {
      Map<String, String> settings = new HashMap<>(clustered);
      settings.putAll(keys);
      TwofaConfig config = config(settings);
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Node.start(config),
        keys.toString());
      for (String named : List.of("TWOFA_SECRET_KEYS", "TWOFA_CLUSTER_EDGE_KEY", "TWOFA_CLUSTER=true")) {
        assertTrue(refused.getMessage().contains(named), refused.getMessage());
      }
    }
  }

  @Test
  void standaloneNeedsNothing() {
    assertFalse(config(Map.of()).cluster().enabled());
  }

  private static TwofaConfig config(Map<String, String> settings) {
    return TwofaConfig.from(new HashMap<>(settings));
  }
}
