package dev.twofa.config;

/**
 * Where a node with the HTTP role serves {@code /health/*} and {@code /metrics}: a port of their own, on
 * 127.0.0.1 unless told otherwise, so the public port never answers them (a login counter by outcome is
 * feedback for credential stuffing, and readiness tells an attacker when a node is weak).
 */
public record Management(String host, int port) {
  static Management from(Settings s, String httpHost, int httpPort) {
    Management management = new Management(s.text("MANAGEMENT_HOST", "127.0.0.1"), s.integer("MANAGEMENT_PORT", 9090, 0, 65535));
    if (management.port != 0 && management.port == httpPort) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "MANAGEMENT_PORT must differ from " + TwofaConfig.PREFIX
        + "HTTP_PORT (" + httpPort + "): health and metrics are kept off the public port");
    }
    return management;
  }
}
