package dev.twofa.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A cluster that cannot be closed (no host, no member list, all interfaces) does not start. */
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
  void standaloneNeedsNothing() {
    assertFalse(config(Map.of()).cluster().enabled());
  }

  private static TwofaConfig config(Map<String, String> settings) {
    return TwofaConfig.from(new HashMap<>(settings));
  }
}
