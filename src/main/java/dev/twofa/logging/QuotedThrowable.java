package dev.twofa.logging;

import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * {@code %kvex}: a library's exception on the event's line as one quoted field,
 * {@code exception="Type: message | at frame | ... | caused by Type: message"}, its first frames only.
 */
public final class QuotedThrowable extends ThrowableHandlingConverter {
  private static final int FRAMES = 5;
  private static final int CAUSES = 3;

  @Override
  public String convert(ILoggingEvent event) {
    IThrowableProxy error = event.getThrowableProxy();
    if (error == null) {
      return "";
    }
    StringBuilder text = new StringBuilder();
    describe(text, error);
    StackTraceElementProxy[] frames = error.getStackTraceElementProxyArray();
    for (int i = 0; frames != null && i < Math.min(FRAMES, frames.length); i++) {
      text.append(" | ").append(frames[i].getSTEAsString());
    }
    IThrowableProxy cause = error.getCause();
    for (int i = 0; cause != null && i < CAUSES; i++, cause = cause.getCause()) {
      describe(text.append(" | caused by "), cause);
    }
    return " exception=" + LogValues.quote(text.toString());
  }

  private static void describe(StringBuilder text, IThrowableProxy error) {
    text.append(error.getClassName());
    if (error.getMessage() != null) {
      text.append(": ").append(error.getMessage());
    }
  }
}
