package dev.twofa.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.helpers.MessageFormatter;

import java.util.Arrays;

/**
 * {@code %kvmsg}: the message with each {@code {}} argument written by {@link LogValues#quote}. Our messages are
 * constants ("event=x user={} error={}"), so only the arguments come from outside; a library's message is kept
 * as it is, its line breaks and controls written as escapes.
 */
public final class QuotedMessage extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    Object[] arguments = event.getArgumentArray();
    if (arguments == null || arguments.length == 0) {
      return LogValues.visible(event.getFormattedMessage());
    }
    Object[] quoted = new Object[arguments.length];
    for (int i = 0; i < arguments.length; i++) {
      Object argument = arguments[i];
      quoted[i] = LogValues.quote(argument instanceof Object[] array ? Arrays.deepToString(array) : String.valueOf(argument));
    }
    return LogValues.visible(MessageFormatter.basicArrayFormat(event.getMessage(), quoted));
  }
}
