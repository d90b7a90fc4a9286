package dev.twofa.config;

import java.util.regex.Pattern;

/** Text that may quote a URL, with any password in its user info replaced: for error messages that reach a log. */
public final class Redacted {
  /** scheme://user:password@ (the password ends at the last @ before the host; spaces and all). */
  private static final Pattern URL_PASSWORD = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://[^/:@\\s]*):[^/]*@");

  private Redacted() {
  }

  public static String urlPasswords(String text) {
    return text == null ? null : URL_PASSWORD.matcher(text).replaceAll("$1:***@");
  }
}
