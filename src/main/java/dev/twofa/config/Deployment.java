package dev.twofa.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Which verticles this node runs, how many instances of each, and how long it may take to stop on SIGTERM
 * ({@code stopWithin}; past it the process halts).
 */
public record Deployment(Set<Role> roles, int httpInstances, int authInstances, int auditInstances, Duration stopWithin) {
  /** The longest an in-flight HTTP request is waited for on SIGTERM, if the stop bound leaves room for it. */
  static final Duration LONGEST_DRAIN = Duration.ofSeconds(10);

  public enum Role { HTTP, AUTH, AUDIT }

  public boolean runs(Role role) {
    return roles.contains(role);
  }

  /**
   * How long HTTP waits for in-flight requests on SIGTERM: 10 s, or half the stop bound if that is shorter, so
   * leaving the cluster and stopping the embedded database still fit in the bound.
   */
  public Duration drain() {
    Duration half = stopWithin.dividedBy(2);
    return half.compareTo(LONGEST_DRAIN) < 0 ? half : LONGEST_DRAIN;
  }

  /** Nodes that own data (auth, audit) need the database; an HTTP-only node does not. */
  public boolean needsDatabase() {
    return runs(Role.AUTH) || runs(Role.AUDIT);
  }

  static Set<Role> parseRoles(String list) {
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (String name : list.split(",")) {
      if (name.isBlank()) {
        continue;
      }
      try {
        roles.add(Role.valueOf(name.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(TwofaConfig.PREFIX + "VERTICLES takes a comma list of http, auth, audit; got "
          + name.trim() + " (valid: " + Arrays.toString(Role.values()).toLowerCase(Locale.ROOT) + ")");
      }
    }
    if (roles.isEmpty()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "VERTICLES names no verticle");
    }
    return roles;
  }
}
