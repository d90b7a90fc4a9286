package dev.twofa.browser;

import dev.twofa.support.MessageBundles;
import static dev.twofa.support.MessageBundles.keys;
import static dev.twofa.support.MessageBundles.placeholders;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twofa.bus.ErrorCode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The browser app's message files: the same keys in every language, the same placeholders, and the fixed words. */
class MessagesTest {
  private static final Path DIR = Path.of("webroot", "i18n");

  static JsonNode messages(String lang) throws IOException {
    return new ObjectMapper().readTree(DIR.resolve(lang + ".json").toFile());
  }

  @Test
  void everyLanguageHasTheSameKeysWithTheSamePlaceholders() throws IOException {
    JsonNode en = messages("en");
    JsonNode ja = messages("ja");
    assertEquals(keys(en), keys(ja));
    List<String> problems = new ArrayList<>(MessageBundles.shapeProblems(en, ja));
    assertEquals(List.of(), problems);
  }

  @Test
  void everyServerErrorCodeHasASentence() throws IOException {
    for (String lang : List.of("en", "ja")) {
      JsonNode messages = messages(lang);
      for (ErrorCode code : ErrorCode.values()) {
        assertTrue(messages.has("error." + code.code()), lang + " lacks error." + code.code());
      }
    }
  }

  @Test
  void theFixedJapaneseLabelsAreUsed() throws IOException {
    JsonNode ja = messages("ja");
    assertEquals("2段階認証を有効にする", ja.get("twofa.enable").asText());
    assertEquals("コードを保存しました、ログイン", ja.get("codes.savedLogin").asText());
    assertEquals("完了", ja.get("codes.done").asText());
    assertEquals("認証デバイスを紛失した場合", ja.get("totp.lost").asText());
    assertEquals("{product}にログイン", ja.get("recovery.submit").asText());
    assertEquals("アカウント", ja.get("account.title").asText());
    assertEquals("2段階認証セキュリティ", ja.get("twofa.security").asText());
    assertEquals("オン", ja.get("twofa.on").asText());
    assertEquals("オフ", ja.get("twofa.off").asText());
    assertEquals("アクティビティ", ja.get("activity.title").asText());
    assertEquals("新しいリカバリーコードを生成", ja.get("codes.regenerate").asText());
    assertEquals("ダウンロード", ja.get("codes.download").asText());
    assertEquals("コピー", ja.get("codes.copy").asText());
    assertEquals("印刷", ja.get("codes.print").asText());
    String all = ja.toString();
    assertTrue(!all.contains("2FA") && !all.contains("TOTP"), "Japanese says 2段階認証, never 2FA");
  }

  @Test
  void everyKeyTheAppUsesExists() throws IOException {
    Set<String> keys = keys(messages("en"));
    Pattern use = Pattern.compile("\\bt\\('([a-zA-Z0-9_.]+)'");
    List<String> missing = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of("webroot", "js"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".js")).toList()) {
        Matcher m = use.matcher(Files.readString(file));
        while (m.find()) {
          if (!m.group(1).endsWith(".") && !keys.contains(m.group(1))) {
            missing.add(file.getFileName() + ": " + m.group(1));
          }
        }
      }
    }
    Matcher shell = Pattern.compile("data-i18n(?:-label)?=\"([^\"]+)\"")
      .matcher(Files.readString(Path.of("src/main/resources/templates/index.hbs")));
    while (shell.find()) {
      if (!keys.contains(shell.group(1))) missing.add("index.hbs: " + shell.group(1));
    }
    assertEquals(List.of(), missing);
  }

  /**
   * Every event type the API reference lists (components.schemas.Event.type) is said in words in Activity: known
   * to activity.js and worded in every language, so none shows as its raw code.
   */
  @Test
  void everyEventTypeOfTheApiHasWordsInActivity() throws IOException {
    String api = Files.readString(Path.of("src/main/resources/openapi.yaml"));
    Matcher enumeration = Pattern.compile("\\n    Event:\\n(?:.*\\n)*?\\s+enum: \\[([^\\]]+)]").matcher(api);
    assertTrue(enumeration.find(), "the Event type enum in openapi.yaml");
    List<String> types = List.of(enumeration.group(1).split("[,\\s]+"));
    assertTrue(types.contains("email.verified") && types.size() > 20, types.toString());
    String activity = Files.readString(Path.of("webroot", "js", "activity.js"));
    List<String> problems = new ArrayList<>();
    for (String type : types) {
      if (!activity.contains("'" + type + "'")) problems.add("activity.js: " + type);
      for (String lang : List.of("en", "ja")) {
        if (!messages(lang).has("event." + type)) problems.add(lang + ": event." + type);
      }
    }
    assertEquals(List.of(), problems);
  }

}
