package dev.twofa.auth.notify;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mails' words: one bundle per language, {@code mail/messages_<lang>.json} on the classpath, in the browser
 * app's format (flat keys, {name} placeholders, plural forms as {"one": …, "other": …} chosen by the n value).
 */
final class MailMessages {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");
  private final Map<String, JsonObject> bundles = new HashMap<>();

  MailMessages(List<String> languages) {
    for (String language : languages) {
      bundles.put(language, read("/mail/messages_" + language + ".json"));
    }
  }

  private static JsonObject read(String resource) {
    try (InputStream in = MailMessages.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing " + resource);
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean has(String language, String key) {
    return bundles.get(language).containsKey(key);
  }

  /** The words of {@code key}; a missing key fails, so a mail never goes out with a key in place of words. */
  String word(String language, String key) {
    return format(language, key, Map.of());
  }

  /**
   * The words of {@code key} with {name} filled from {@code values} in one pass (a value is never read for
   * placeholders; unknown names stay as they are); a plural message takes the form for values' "n".
   */
  String format(String language, String key, Map<String, ?> values) {
    Object message = bundles.get(language).getValue(key);
    if (message == null) {
      throw new IllegalStateException("no mail words for " + key + " in " + language);
    }
    String words = message instanceof JsonObject forms ? forms.getString(pluralForm(forms, values.get("n"))) : (String) message;
    return PLACEHOLDER.matcher(words).replaceAll(m -> Matcher.quoteReplacement(
      values.containsKey(m.group(1)) ? String.valueOf(values.get(m.group(1))) : m.group()));
  }

  /**
   * English's rule for whole numbers (1 is "one", everything else "other"); Japanese has only "other", so this is
   * all our two languages need. A language with other rules (French's 0, Russian's few/many) would need CLDR's.
   */
  private static String pluralForm(JsonObject forms, Object n) {
    return n instanceof Integer count && count == 1 && forms.containsKey("one") ? "one" : "other";
  }
}
