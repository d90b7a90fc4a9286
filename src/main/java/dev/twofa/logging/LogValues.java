package dev.twofa.logging;

/**
 * How a value is written in a {@code key=value} log line: bare when it is printable ASCII without a space, quote,
 * backslash or '=', else in double quotes with backslash escapes, so no value can end its line or start a field.
 */
public final class LogValues {
  private LogValues() {
  }

  public static String quote(String value) {
    if (value == null) {
      return "null";
    }
    if (bare(value)) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> appendVisibly(out, c);
      }
    }
    return out.append('"').toString();
  }

  private static boolean bare(String value) {
    if (value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= ' ' || c >= 0x7f || c == '"' || c == '\\' || c == '=') {
        return false;
      }
    }
    return true;
  }

  /**
   * Text that is not a value (a library's message): kept as it is but for line breaks, controls and invisible
   * characters, written as escapes so that it stays on its line.
   */
  public static String visible(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (out == null && invisible(c)) {
        out = new StringBuilder(text.length() + 8).append(text, 0, i);
      }
      if (out != null) {
        appendVisibly(out, c);
      }
    }
    return out == null ? text : out.toString();
  }

  private static void appendVisibly(StringBuilder out, char c) {
    switch (c) {
      case '\n' -> out.append("\\n");
      case '\r' -> out.append("\\r");
      case '\t' -> out.append("\\t");
      default -> {
        if (invisible(c)) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
    }
  }

  /** Control characters, line and paragraph separators (U+2028, U+2029, NEL) and format characters (bidi overrides). */
  private static boolean invisible(char c) {
    int type = Character.getType(c);
    return Character.isISOControl(c) || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
      || type == Character.FORMAT;
  }
}
