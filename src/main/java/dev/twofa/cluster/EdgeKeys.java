package dev.twofa.cluster;

import dev.twofa.config.KeyRing;
import dev.twofa.config.NodeKeys;
import dev.twofa.config.TwofaConfig;

import java.util.Base64;

/** What {@code derive-keys} prints for an HTTP-only node: nothing that opens TOTP secrets or makes a cluster member. */
public final class EdgeKeys {
  private EdgeKeys() {
  }

  /** The edge's variables, one a line: its CSRF key, its cluster key seed and its certificates (edge, then CA). */
  public static String variables(KeyRing ring) {
    NodeKeys keys = NodeKeys.of(ring);
    byte[] clusterKey = keys.clusterKey().orElseThrow();
    Base64.Encoder base64 = Base64.getEncoder();
    return TwofaConfig.PREFIX + "CSRF_KEY=" + base64.encodeToString(keys.csrfKey().orElseThrow()) + "\n"
      + TwofaConfig.PREFIX + "CLUSTER_EDGE_KEY=" + base64.encodeToString(ClusterCredentials.edgeSeed(clusterKey)) + "\n"
      + TwofaConfig.PREFIX + "CLUSTER_EDGE_CERTS=" + base64.encodeToString(ClusterCredentials.edgeCertificates(clusterKey)) + "\n";
  }
}
