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

  /** A word each concept is said with in one language, and the variants that would say it a second way. */
  private record Concept(String lang, String word, Pattern variant) {
    Concept(String lang, String word, String variant) {
      this(lang, word, Pattern.compile(variant, Pattern.CASE_INSENSITIVE));
    }
  }

  /** The article's words: a screen that says a concept differently from the next one reads as two things. */
  private static final List<Concept> CONCEPTS = List.of(
    new Concept("en", "authentication app", "authenticator app"),
    new Concept("en", "setup key", "(?<!setup )\\bkey\\b|secret key|authentication key"),
    new Concept("en", "recovery code", "backup code"),
    new Concept("en", "log in", "sign[ -]?in|signed in"),
    new Concept("en", "generate (recovery codes)", "\\bissue[ds]?\\b|regenerat"),
    new Concept("ja", "認証アプリ", "認証システム|オーセンティケーター|認証用アプリ|Authenticatorアプリ"),
    new Concept("ja", "セットアップキー", "(?<!セットアップ|パス)キー|シークレット|秘密鍵"),
    new Concept("ja", "生成（コード）", "発行"),
    new Concept("ja", "ほかの", "他の"),
    new Concept("ja", "2段階認証", "二段階認証|[２二]要素認証|2要素認証|２段階"),
    new Concept("ja", "リカバリーコード", "リカバリコード|復旧コード|バックアップコード"),
    new Concept("ja", "認証コード", "ワンタイムパスワード|確認コード|ワンタイムコード"),
    new Concept("ja", "ログイン", "サインイン|ログオン"),
    new Concept("ja", "メールアドレス", "Eメール|メール・アドレス"));

  /** The mails' bundles, held to the same words: a mail that names a thing otherwise than the screen sends you to confuses. */
  private static JsonNode mailMessages(String lang) throws IOException {
    return new ObjectMapper().readTree(Path.of("src", "main", "resources", "mail", "messages_" + lang + ".json").toFile());
  }

  @Test
  void eachConceptIsSaidOneWayEverywhere() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Concept concept : CONCEPTS) {
      for (JsonNode messages : List.of(messages(concept.lang()), mailMessages(concept.lang()))) {
        messages.fields().forEachRemaining(entry -> {
          List<JsonNode> forms = entry.getValue().isObject() ? List.copyOf(toList(entry.getValue())) : List.of(entry.getValue());
          for (JsonNode form : forms) {
            Matcher m = concept.variant().matcher(form.asText());
            if (m.find()) {
              problems.add(concept.lang() + " " + entry.getKey() + ": \"" + m.group() + "\" where the screens say \""
                + concept.word() + "\"");
            }
          }
        });
      }
    }
    assertEquals(List.of(), problems);
  }

  private static List<JsonNode> toList(JsonNode object) {
    List<JsonNode> forms = new ArrayList<>();
    object.elements().forEachRemaining(forms::add);
    return forms;
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
