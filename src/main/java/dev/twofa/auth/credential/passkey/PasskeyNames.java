package dev.twofa.auth.credential.passkey;

import java.util.Map;
import java.util.UUID;

/**
 * The name a new passkey gets until its owner renames it: the password manager or platform its AAGUID names when
 * we know it (product names, not translated), else "Passkey on Chrome / Linux" from the browser's User-Agent, in
 * the account's language.
 */
final class PasskeyNames {
  static final int MAX_LENGTH = 64;
  /** A few well-known providers' AAGUIDs (the passkey-authenticator-aaguids community list); most give none. */
  private static final Map<UUID, String> KNOWN = Map.of(
    UUID.fromString("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"), "Google Password Manager",
    UUID.fromString("adce0002-35bc-c60a-648b-0b25f1f05503"), "Chrome on Mac",
    UUID.fromString("fbfc3007-154e-4ecc-8c0b-6e020557d7bd"), "iCloud Keychain",
    UUID.fromString("08987058-cadc-4b81-b6e1-30de50dcbe96"), "Windows Hello",
    UUID.fromString("9ddd1817-af5a-4672-a2b9-3e3dd95000a9"), "Windows Hello",
    UUID.fromString("bada5566-a7aa-401f-bd96-45619a55120d"), "1Password",
    UUID.fromString("d548826e-79b4-db40-a3d8-11116f7e8349"), "Bitwarden");

  private PasskeyNames() {
  }

  static String defaultName(UUID aaguid, String userAgent, String language) {
    String known = aaguid == null ? null : KNOWN.get(aaguid);
    if (known != null) {
      return known;
    }
    String where = browser(userAgent) + " / " + system(userAgent);
    return "ja".equals(language) ? where + " のパスキー" : "Passkey on " + where;
  }

  /** A name as typed: trimmed, control characters refused by the edge already; empty or too long is no name. */
  static java.util.Optional<String> clean(String typed) {
    if (typed == null) {
      return java.util.Optional.empty();
    }
    String name = typed.strip();
    return name.isEmpty() || name.codePointCount(0, name.length()) > MAX_LENGTH
      ? java.util.Optional.empty() : java.util.Optional.of(name);
  }

  private static String browser(String ua) {
    String s = ua == null ? "" : ua;
    if (s.contains("Edg/")) {
      return "Edge";
    }
    if (s.contains("Firefox/")) {
      return "Firefox";
    }
    if (s.contains("Chrome/") || s.contains("Chromium/") || s.contains("CriOS/")) {
      return "Chrome";
    }
    if (s.contains("Safari/")) {
      return "Safari";
    }
    return "Browser";
  }

  private static String system(String ua) {
    String s = ua == null ? "" : ua;
    if (s.contains("Android")) {
      return "Android";
    }
    if (s.contains("iPhone") || s.contains("iPad")) {
      return "iOS";
    }
    if (s.contains("Windows")) {
      return "Windows";
    }
    if (s.contains("Mac OS X") || s.contains("Macintosh")) {
      return "macOS";
    }
    if (s.contains("CrOS")) {
      return "ChromeOS";
    }
    if (s.contains("Linux")) {
      return "Linux";
    }
    return "?";
  }
}
