package dev.twofa.support;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The lines one class logs while a test runs (logback's in-memory appender on that class's logger), so a test
 * can check what an operator would read: the level, the event, and that no secret is in it. Close it after use.
 */
public final class LogLines implements AutoCloseable {
  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogLines(String name) {
    this.logger = (Logger) LoggerFactory.getLogger(name);
    appender.start();
    logger.addAppender(appender);
  }

  public static LogLines of(Class<?> source) {
    return new LogLines(source.getName());
  }

  /** The lines of the logger named {@code name} (a class's full name). */
  public static LogLines of(String name) {
    return new LogLines(name);
  }

  /** The formatted lines logged at {@code level} so far. */
  public List<String> at(Level level) {
    synchronized (appender) {
      return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  /** Every formatted line so far, whatever its level. */
  public List<String> all() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
