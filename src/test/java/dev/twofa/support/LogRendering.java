package dev.twofa.support;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Renders log events exactly as the shipped logback.xml writes them to standard output, in the format
 * TWOFA_LOG_FORMAT names (text or json), in a logger context of its own.
 */
public final class LogRendering {
  private LogRendering() {
  }

  /** What {@code logging} writes through the shipped configuration in {@code format}. */
  public static synchronized String render(String format, Consumer<org.slf4j.Logger> logging) {
    return capture(format, context -> logging.accept(context.getLogger("dev.twofa.Example")));
  }

  /** Events recorded elsewhere (e.g. by a ListAppender while a server ran), written as the shipped configuration would. */
  public static synchronized String render(String format, List<ILoggingEvent> events) {
    return capture(format, context -> {
      Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
      events.forEach(root::callAppenders);
    });
  }

  private static String capture(String format, Consumer<LoggerContext> use) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      if (format != null) {
        context.putProperty("TWOFA_LOG_FORMAT", format);
      }
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogRendering.class.getResource("/logback.xml"));
      use.accept(context);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      context.stop();
      System.out.flush();
      System.setOut(original);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
