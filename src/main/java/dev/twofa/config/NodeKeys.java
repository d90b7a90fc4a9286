package dev.twofa.config;

import java.util.Base64;
import java.util.Optional;

/**
 * The keys this node was given: the whole ring (a node that runs auth or audit needs it: to open TOTP secrets, and
 * to be a cluster member), or just what an HTTP-only node needs, printed by {@code derive-keys}: the CSRF key and,
 * clustered, the edge's key seed and certificates. An edge node never holds a key that decrypts TOTP secrets nor
 * one that makes it a member of the cluster.
 */
public final class NodeKeys {
  private final Optional<KeyRing> ring;
  private final Optional<byte[]> csrfKey;
  private final Optional<byte[]> edgeKey;
  private final Optional<byte[]> edgeCertificates;
  private final boolean allowMissingKeys;

  private NodeKeys(Optional<KeyRing> ring, Optional<byte[]> csrfKey, Optional<byte[]> edgeKey,
                   Optional<byte[]> edgeCertificates, boolean allowMissingKeys) {
    this.ring = ring;
    this.csrfKey = csrfKey;
    this.edgeKey = edgeKey;
    this.edgeCertificates = edgeCertificates;
    this.allowMissingKeys = allowMissingKeys;
  }

  public static NodeKeys of(KeyRing ring) {
    return new NodeKeys(Optional.of(ring), Optional.empty(), Optional.empty(), Optional.empty(), false);
  }

  /** These settings with {@code ring} as the ring (the embedded database's generated key). */
  public NodeKeys withRing(KeyRing ring) {
    return new NodeKeys(Optional.of(ring), Optional.empty(), Optional.empty(), Optional.empty(), allowMissingKeys);
  }

  static NodeKeys from(Settings s) {
    Optional<String> one = s.optional("SECRET_KEY");
    Optional<String> many = s.optional("SECRET_KEYS");
    if (one.isPresent() && many.isPresent()) {
      throw new IllegalArgumentException("set " + TwofaConfig.PREFIX + "SECRET_KEYS or " + TwofaConfig.PREFIX
        + "SECRET_KEY, not both (TWOFA_SECRET_KEYS=<current>,<older>... replaces TWOFA_SECRET_KEY)");
    }
    Optional<KeyRing> ring = many.map(v -> KeyRing.parse(TwofaConfig.PREFIX + "SECRET_KEYS", v))
      .or(() -> one.map(v -> KeyRing.parse(TwofaConfig.PREFIX + "SECRET_KEY", v)));
    Optional<byte[]> csrf = s.optional("CSRF_KEY").map(v -> KeyRing.decode(TwofaConfig.PREFIX + "CSRF_KEY", v));
    // The cluster key itself made any holder a member in any role; edges now get a key that cannot.
    s.retired("CLUSTER_KEY", "CLUSTER_EDGE_KEY and " + TwofaConfig.PREFIX + "CLUSTER_EDGE_CERTS, which derive-keys prints");
    Optional<byte[]> edge = s.optional("CLUSTER_EDGE_KEY").map(v -> KeyRing.decode(TwofaConfig.PREFIX + "CLUSTER_EDGE_KEY", v));
    Optional<byte[]> certificates = s.optional("CLUSTER_EDGE_CERTS").map(NodeKeys::certificates);
    // Two sources for one key could disagree; refuse rather than pick one silently.
    if (ring.isPresent() && (csrf.isPresent() || edge.isPresent() || certificates.isPresent())) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CSRF_KEY, " + TwofaConfig.PREFIX + "CLUSTER_EDGE_KEY and "
        + TwofaConfig.PREFIX + "CLUSTER_EDGE_CERTS are for nodes without the secret keys; this node has "
        + TwofaConfig.PREFIX + "SECRET_KEYS, drop them");
    }
    if (edge.isPresent() != certificates.isPresent()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_EDGE_KEY and " + TwofaConfig.PREFIX
        + "CLUSTER_EDGE_CERTS go together (both printed by derive-keys)");
    }
    return new NodeKeys(ring, csrf, edge, certificates, s.bool("ALLOW_MISSING_KEYS", false));
  }

  private static byte[] certificates(String base64) {
    try {
      return Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_EDGE_CERTS must be base64, as derive-keys prints it");
    }
  }

  public Optional<KeyRing> ring() {
    return ring;
  }

  /**
   * TWOFA_ALLOW_MISSING_KEYS: start even when stored TOTP secrets are sealed under keys the ring lacks (logged
   * at WARN; those accounts get {@code totp_unavailable} until the key is back). Without it such a ring stops the start.
   */
  public boolean allowMissingKeys() {
    return allowMissingKeys;
  }

  /** True when nothing was configured, so an embedded-database node may generate its own key. */
  public boolean none() {
    return ring.isEmpty() && csrfKey.isEmpty() && edgeKey.isEmpty();
  }

  /** Signs CSRF tokens; the same on every HTTP node so any of them accepts a token another issued. */
  public Optional<byte[]> csrfKey() {
    return ring.map(r -> ServerKeys.derive(r.current().material(), ServerKeys.Purpose.CSRF)).or(() -> csrfKey.map(byte[]::clone));
  }

  /**
   * Signs device cookies, so a value no node issued is told apart: HKDF of the CSRF key, which every HTTP node
   * holds (derived from the ring, or given as TWOFA_CSRF_KEY), so no edge node needs another variable.
   */
  public Optional<byte[]> deviceCookieKey() {
    return csrfKey().map(key -> ServerKeys.derive(key, ServerKeys.Purpose.DEVICE_COOKIE));
  }

  /** The cluster CA's seed, from the current key, so all members of one ring trust each other; only with the ring. */
  public Optional<byte[]> clusterKey() {
    return ring.map(r -> ServerKeys.derive(r.current().material(), ServerKeys.Purpose.CLUSTER));
  }

  /**
   * Seals auth's requests to audit and audit's receipts for relayed events (HMAC-SHA-256): only auth and audit,
   * which hold the ring, have it.
   */
  public Optional<byte[]> auditKey() {
    return ring.map(r -> ServerKeys.derive(r.current().material(), ServerKeys.Purpose.AUDIT));
  }

  /** An edge's key seed, from derive-keys: its TLS key, and nothing that gives the CA's. */
  public Optional<byte[]> edgeKey() {
    return edgeKey.map(byte[]::clone);
  }

  /** An edge's certificate and the CA's, from derive-keys (a PkiPath). */
  public Optional<byte[]> edgeCertificates() {
    return edgeCertificates.map(byte[]::clone);
  }

  /** Never print a key; ids are safe. */
  @Override
  public String toString() {
    return "NodeKeys[" + ring.map(KeyRing::toString).orElse("no ring") + (csrfKey.isPresent() ? ", csrf" : "")
      + (edgeKey.isPresent() ? ", cluster edge" : "") + "]";
  }
}
