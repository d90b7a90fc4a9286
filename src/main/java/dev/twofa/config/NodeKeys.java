package dev.twofa.config;

import java.util.Base64;
import java.util.Optional;

/**
 * The keys this node was given: the whole ring (a node that runs auth needs it to open TOTP secrets), or just
 * the derived CSRF and cluster keys, which is all an HTTP-only node needs, so an edge node never holds a key
 * that decrypts TOTP secrets.
 */
public final class NodeKeys {
  private final Optional<KeyRing> ring;
  private final Optional<byte[]> csrfKey;
  private final Optional<byte[]> clusterKey;
  private final boolean allowMissingKeys;

  private NodeKeys(Optional<KeyRing> ring, Optional<byte[]> csrfKey, Optional<byte[]> clusterKey,
                   boolean allowMissingKeys) {
    this.ring = ring;
    this.csrfKey = csrfKey;
    this.clusterKey = clusterKey;
    this.allowMissingKeys = allowMissingKeys;
  }

  public static NodeKeys of(KeyRing ring) {
    return new NodeKeys(Optional.of(ring), Optional.empty(), Optional.empty(), false);
  }

  /** These settings with {@code ring} as the ring (the embedded database's generated key). */
  public NodeKeys withRing(KeyRing ring) {
    return new NodeKeys(Optional.of(ring), Optional.empty(), Optional.empty(), allowMissingKeys);
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
    Optional<byte[]> cluster = s.optional("CLUSTER_KEY").map(v -> KeyRing.decode(TwofaConfig.PREFIX + "CLUSTER_KEY", v));
    // Two sources for one key could disagree; refuse rather than pick one silently.
    if (ring.isPresent() && (csrf.isPresent() || cluster.isPresent())) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CSRF_KEY and " + TwofaConfig.PREFIX
        + "CLUSTER_KEY are for nodes without the secret keys; this node has " + TwofaConfig.PREFIX + "SECRET_KEYS, drop them");
    }
    return new NodeKeys(ring, csrf, cluster, s.bool("ALLOW_MISSING_KEYS", false));
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
    return ring.isEmpty() && csrfKey.isEmpty() && clusterKey.isEmpty();
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

  /** The cluster CA's seed, from the current key, so all nodes of one ring trust each other. */
  public Optional<byte[]> clusterKey() {
    return ring.map(r -> ServerKeys.derive(r.current().material(), ServerKeys.Purpose.CLUSTER))
      .or(() -> clusterKey.map(byte[]::clone));
  }

  /** What {@code derive-keys} prints for an edge node: its two variables, nothing that opens TOTP secrets. */
  public static String edgeVariables(KeyRing ring) {
    NodeKeys keys = of(ring);
    Base64.Encoder base64 = Base64.getEncoder();
    return TwofaConfig.PREFIX + "CSRF_KEY=" + base64.encodeToString(keys.csrfKey().orElseThrow()) + "\n"
      + TwofaConfig.PREFIX + "CLUSTER_KEY=" + base64.encodeToString(keys.clusterKey().orElseThrow()) + "\n";
  }

  /** Never print a key; ids are safe. */
  @Override
  public String toString() {
    return "NodeKeys[" + ring.map(KeyRing::toString).orElse("no ring") + (csrfKey.isPresent() ? ", csrf" : "")
      + (clusterKey.isPresent() ? ", cluster" : "") + "]";
  }
}
