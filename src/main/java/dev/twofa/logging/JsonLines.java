package dev.twofa.logging;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;

import java.nio.charset.StandardCharsets;

/**
 * Logback's JsonEncoder, plus escapes for what JSON allows raw in a string but a log viewer may take for a line
 * break or hide (U+2028, U+2029, NEL and other C1 controls, bidi overrides): one event, one visible line.
 */
public final class JsonLines extends JsonEncoder {
  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] json = super.encode(event);
    String text = new String(json, StandardCharsets.UTF_8);
    String line = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    // The encoder escapes C0 controls itself, so what remains to escape is only ever inside a string.
    String visible = LogValues.visible(line);
    return visible.equals(line) ? json : (visible + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
