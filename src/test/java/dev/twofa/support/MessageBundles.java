package dev.twofa.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape rules every words bundle keeps, the browser's (webroot/i18n) and the mails' (resources/mail): flat
 * keys, {name} placeholders, plurals as {"one", "other"}.
 */
public final class MessageBundles {
  public static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

  private MessageBundles() {
  }

  /** What differs in shape between the English and the Japanese bundle (empty when they agree). */
  public static List<String> shapeProblems(JsonNode en, JsonNode ja) {
    List<String> problems = new ArrayList<>();
    Set<String> keys = new TreeSet<>(keys(en));
    keys.addAll(keys(ja));
    for (String key : keys) {
      if (!en.has(key) || !ja.has(key)) {
        problems.add(key + ": in one language only");
        continue;
      }
      if (en.get(key).isObject() != ja.get(key).isObject()) {
        problems.add(key + ": plural forms in one language only");
      }
      if (!placeholders(en.get(key)).equals(placeholders(ja.get(key)))) {
        problems.add(key + ": placeholders " + placeholders(en.get(key)) + " vs " + placeholders(ja.get(key)));
      }
      if (en.get(key).isObject() && !en.get(key).has("other") || ja.get(key).isObject() && !ja.get(key).has("other")) {
        problems.add(key + ": plural without \"other\"");
      }
    }
    return problems;
  }

  public static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  /** A message's forms: itself, or each of its plural forms. */
  public static List<JsonNode> forms(JsonNode value) {
    List<JsonNode> forms = new ArrayList<>();
    if (value.isObject()) {
      value.elements().forEachRemaining(forms::add);
    } else {
      forms.add(value);
    }
    return forms;
  }

  public static Set<String> placeholders(JsonNode value) {
    Set<String> names = new TreeSet<>();
    for (JsonNode form : forms(value)) {
      Matcher m = PLACEHOLDER.matcher(form.asText());
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
