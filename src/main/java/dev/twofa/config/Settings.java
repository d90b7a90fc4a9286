package dev.twofa.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import java.util.Optional;

/** Typed reads of TWOFA_* variables; every bad value fails with the variable's name. */
final class Settings {
  private final Map<String, String> env;

  Settings(Map<String, String> env) {
    this.env = env;
  }

  Optional<String> optional(String name) {
    String value = env.get(TwofaConfig.PREFIX + name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
  }

  String text(String name, String fallback) {
    return optional(name).orElse(fallback);
  }

  int integer(String name, int fallback, int min, int max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.get());
      if (value < min || value > max) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + name + " must be a whole number from " + min + " to " + max);
    }
  }

  String choice(String name, String fallback, String... allowed) {
    String value = text(name, fallback);
    if (!java.util.List.of(allowed).contains(value)) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + name + " must be one of " + String.join(", ", allowed));
    }
    return value;
  }

  /** Refuses a variable that no longer exists, so an old deployment cannot silently lose what it asked for. */
  void retired(String name, String replacement) {
    if (optional(name).isPresent()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + name + " was replaced by " + TwofaConfig.PREFIX + replacement
        + " (see docs/configuration.md)");
    }
  }

  boolean bool(String name, boolean fallback) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return fallback;
    }
    return switch (raw.get().toLowerCase()) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default -> throw new IllegalArgumentException(TwofaConfig.PREFIX + name + " must be true or false");
    };
  }

  /** {@code value} as a URI with its scheme in lower case ("" when it has none); a malformed one fails with {@code rule}. */
  static URI uri(String value, String rule) {
    try {
      return new URI(value.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(rule);
    }
  }

  static String scheme(URI uri) {
    return uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
  }
}
