package dev.twofa.logging;

import ch.qos.logback.core.PropertyDefinerBase;

/**
 * Picks logback.xml's appender from TWOFA_LOG_FORMAT: {@code json} (logback's JsonEncoder), else {@code text}
 * (key=value). An unknown value still logs as text, so the start can say why it refuses it (TwofaConfig checks).
 */
public final class LogFormat extends PropertyDefinerBase {
  private String format = "text";

  public void setFormat(String format) {
    this.format = format;
  }

  @Override
  public String getPropertyValue() {
    return "json".equals(format) ? "json" : "text";
  }
}
