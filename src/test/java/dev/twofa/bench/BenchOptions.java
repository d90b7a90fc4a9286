package dev.twofa.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark settings from {@code --name=value} arguments.
 *
 * <pre>
 * --modes=full,oidc,second-factor,activity,signup,overload,burst,abuse,passkey   what to run (default: all but passkey)
 * --users=10000           seeded users with 2FA on (more are seeded when a measured rate needs them)
 * --events-per-user=10    activity rows per first-seeded user
 * --clients=32            concurrent clients              --seconds=20           measured time per mode
 * --argon2=7168,5,1       m (KiB), t, p of the server     --hasher=auto          auto | native | java
 * --url=http://host:port  an already running server (then also --db-url, --secret-key, --pid, --management-url
 *                         when its health is not on 127.0.0.1:9090; it must trust
 *                         127.0.0.1 in TWOFA_TRUSTED_PROXIES, or every client shares one address)
 * --oidc-alg=RS256        the ID tokens' algorithm the oidc mode's application registers (RS256 or ES256)
 * --warmup=60             seconds of logins before the full, oidc and second-factor modes are measured
 * --strict=true           fail on unexpected answers (the CI smoke)
 * --explain=true          print the query plans of a login and an Activity page on the seeded data
 * </pre>
 */
record BenchOptions(List<String> modes, int users, int eventsPerUser, int clients, int seconds, int[] argon2,
                    String hasher, String url, String dbUrl, String secretKey, long pid) {

  static BenchOptions parse(String[] args) {
    Map<String, String> given = new HashMap<>();
    for (String arg : args) {
      for (String part : arg.trim().split("\\s+")) {
        if (!part.startsWith("--") || !part.contains("=")) {
          if (!part.isBlank()) {
            throw new IllegalArgumentException("arguments look like --name=value, got " + part);
          }
          continue;
        }
        given.put(part.substring(2, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
      }
    }
    String[] argon2 = given.getOrDefault("argon2", "7168,5,1").split(",");
    return new BenchOptions(
      List.of(given.getOrDefault("modes", "full,oidc,second-factor,activity,signup,overload,burst,abuse").split(",")),
      Integer.parseInt(given.getOrDefault("users", "10000")),
      Integer.parseInt(given.getOrDefault("events-per-user", "10")),
      Integer.parseInt(given.getOrDefault("clients", "32")),
      Integer.parseInt(given.getOrDefault("seconds", "20")),
      new int[] {Integer.parseInt(argon2[0]), Integer.parseInt(argon2[1]), Integer.parseInt(argon2[2])},
      given.getOrDefault("hasher", "auto"),
      given.get("url"), given.get("db-url"), given.get("secret-key"),
      Long.parseLong(given.getOrDefault("pid", "0")));
  }
}
