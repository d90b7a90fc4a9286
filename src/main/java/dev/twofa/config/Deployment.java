package dev.twofa.config;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Which verticles this node runs, and how many instances of each. */
public record Deployment(Set<Role> roles, int httpInstances, int authInstances, int auditInstances) {

  public enum Role { HTTP, AUTH, AUDIT }

  public boolean runs(Role role) {
    return roles.contains(role);
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
