package dev.twofa.config;

import dev.twofa.cluster.EdgeKeys;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyRingTest {
  private static final byte[] A = filled(1);
  private static final byte[] B = filled(2);

  @Test
  void idsAreShortStableAndDistinct() {
    String id = KeyRing.of(A).current().hexId();
    assertEquals(8, id.length());
    assertEquals(id, KeyRing.of(A.clone()).current().hexId());
    assertFalse(id.equals(KeyRing.of(B).current().hexId()));
    assertFalse(Base64.getEncoder().encodeToString(A).contains(id));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 2000; i++) {
      byte[] key = new byte[32];
      new java.security.SecureRandom().nextBytes(key);
      ids.add(KeyRing.of(key).current().hexId());
    }
    assertEquals(2000, ids.size());
  }

  @Test
  void theFirstKeyIsCurrentAndToStringShowsIdsOnly() {
    KeyRing ring = KeyRing.of(B, A);
    assertArrayEquals(B, ring.current().material());
    assertEquals(2, ring.keys().size());
    assertFalse(ring.toString().contains(Base64.getEncoder().encodeToString(B)));
    assertTrue(ring.toString().contains(ring.current().hexId()));
    assertThrows(IllegalArgumentException.class, () -> KeyRing.of(A, A.clone()), "the same key twice");
  }

  @Test
  void purposeKeysDifferFromEachOtherAndFromThePreHkdfOnes() {
    Set<String> seen = new HashSet<>();
    for (ServerKeys.Purpose purpose : ServerKeys.Purpose.values()) {
      byte[] derived = ServerKeys.derive(A, purpose);
      assertEquals(32, derived.length);
      assertArrayEquals(derived, ServerKeys.derive(A.clone(), purpose), "deterministic across nodes");
      assertTrue(seen.add(Arrays.toString(derived)), purpose + " differs");
      assertTrue(seen.add(Arrays.toString(ServerKeys.legacy(A, purpose))), purpose + " legacy differs");
      assertFalse(Arrays.equals(derived, ServerKeys.derive(B, purpose)));
    }
  }

  @Test
  void readsTheRingFromEitherVariableButNotBoth() {
    String a = Base64.getEncoder().encodeToString(A);
    String b = Base64.getEncoder().encodeToString(B);
    KeyRing ring = TwofaConfig.from(Map.of("TWOFA_SECRET_KEYS", b + ", " + a)).keys().ring().orElseThrow();
    assertEquals(KeyRing.of(B, A).toString(), ring.toString());
    assertEquals(KeyRing.of(A).toString(), TwofaConfig.from(Map.of("TWOFA_SECRET_KEY", a)).keys().ring().orElseThrow().toString());
    IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
      () -> TwofaConfig.from(Map.of("TWOFA_SECRET_KEY", a, "TWOFA_SECRET_KEYS", b)));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
    IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
      () -> TwofaConfig.from(Map.of("TWOFA_SECRET_KEYS", b + "," + Base64.getEncoder().encodeToString(new byte[16]))));
    assertTrue(shortKey.getMessage().startsWith("TWOFA_SECRET_KEYS"), shortKey.getMessage());
  }

  @Test
  void missingKeysAreRefusedAtStartUnlessAllowedInSoManyWords() {
    String a = Base64.getEncoder().encodeToString(A);
    assertFalse(TwofaConfig.from(Map.of("TWOFA_SECRET_KEY", a)).keys().allowMissingKeys());
    assertTrue(TwofaConfig.from(Map.of("TWOFA_SECRET_KEY", a, "TWOFA_ALLOW_MISSING_KEYS", "true")).keys().allowMissingKeys());
    assertTrue(TwofaConfig.from(Map.of("TWOFA_ALLOW_MISSING_KEYS", "true")).keys().withRing(KeyRing.of(A))
      .allowMissingKeys(), "kept when the embedded database's key fills the ring in");
    IllegalArgumentException unclear = assertThrows(IllegalArgumentException.class,
      () -> TwofaConfig.from(Map.of("TWOFA_SECRET_KEY", a, "TWOFA_ALLOW_MISSING_KEYS", "maybe")));
    assertTrue(unclear.getMessage().contains("TWOFA_ALLOW_MISSING_KEYS"), unclear.getMessage());
  }

  @Test
  void anEdgeNodeGetsTheRingsCsrfKeyButNotItsClusterKey() {
    NodeKeys full = TwofaConfig.from(Map.of("TWOFA_SECRET_KEYS", Base64.getEncoder().encodeToString(B) + ","
      + Base64.getEncoder().encodeToString(A))).keys();
    Map<String, String> edgeEnv = new java.util.HashMap<>();
    for (String line : EdgeKeys.variables(KeyRing.of(B, A)).split("\n")) {
      edgeEnv.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
    }
    assertEquals(Set.of("TWOFA_CSRF_KEY", "TWOFA_CLUSTER_EDGE_KEY", "TWOFA_CLUSTER_EDGE_CERTS"), edgeEnv.keySet());
    NodeKeys edge = TwofaConfig.from(edgeEnv).keys();
    assertTrue(edge.ring().isEmpty());
    assertArrayEquals(full.csrfKey().orElseThrow(), edge.csrfKey().orElseThrow());
    assertTrue(edge.clusterKey().isEmpty(), "an edge holds no cluster key, so no CA key");
    assertFalse(Arrays.equals(full.clusterKey().orElseThrow(), edge.edgeKey().orElseThrow()));
    assertEquals(EdgeKeys.variables(KeyRing.of(B, A)), EdgeKeys.variables(KeyRing.of(B)), "the same on every run, from the current key");
    IllegalArgumentException retired = assertThrows(IllegalArgumentException.class, () -> TwofaConfig.from(Map.of(
      "TWOFA_CLUSTER_KEY", edgeEnv.get("TWOFA_CLUSTER_EDGE_KEY"), "TWOFA_CSRF_KEY", edgeEnv.get("TWOFA_CSRF_KEY"))));
    assertTrue(retired.getMessage().contains("TWOFA_CLUSTER_EDGE_KEY"), retired.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TwofaConfig.from(Map.of(
      "TWOFA_CLUSTER_EDGE_KEY", edgeEnv.get("TWOFA_CLUSTER_EDGE_KEY"), "TWOFA_CSRF_KEY", edgeEnv.get("TWOFA_CSRF_KEY"))),
      "the key without its certificates");
    assertArrayEquals(ServerKeys.derive(B, ServerKeys.Purpose.CLUSTER), full.clusterKey().orElseThrow(), "from the current key");
    assertThrows(IllegalArgumentException.class, () -> TwofaConfig.from(Map.of(
      "TWOFA_SECRET_KEYS", Base64.getEncoder().encodeToString(A), "TWOFA_CSRF_KEY", edgeEnv.get("TWOFA_CSRF_KEY"))));
  }

  private static byte[] filled(int value) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) value);
    return key;
  }
}
