package dev.twofa.auth.notify;

import dev.twofa.support.MessageBundles;
import static dev.twofa.support.MessageBundles.forms;
import static dev.twofa.support.MessageBundles.keys;
import static dev.twofa.support.MessageBundles.placeholders;
import dev.twofa.auth.account.UserRow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.twofa.bus.ClientInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mails' bundles (in the manner of the browser's MessagesTest): the same keys in every language with the same
 * placeholders, every key a mail uses present in every language, and no key that no mail uses.
 */
class MailMessagesTest {
  private static final Path DIR = Path.of("src", "main", "resources", "mail");
  private static final Instant AT = Instant.parse("2026-03-01T12:00:00Z");
  private final MailComposer composer = new MailComposer("twofa", URI.create("http://localhost:8080"));

  static JsonNode messages(String lang) throws IOException {
    return new ObjectMapper().readTree(DIR.resolve("messages_" + lang + ".json").toFile());
  }

  @Test
  void everyLanguageHasTheSameKeysWithTheSamePlaceholders() throws IOException {
    assertEquals(List.of("en", "ja"), MailComposer.LANGUAGES);
    JsonNode en = messages("en");
    JsonNode ja = messages("ja");
    assertEquals(keys(en), keys(ja));
    List<String> problems = new ArrayList<>(MessageBundles.shapeProblems(en, ja));
    for (String key : keys(ja)) {
      if (ja.get(key).isObject() && !keys(ja.get(key)).equals(Set.of("other"))) {
        problems.add(key + ": Japanese has no plural forms, only \"other\"");
      }
    }
    assertEquals(List.of(), problems);
  }

  /** Composing fails on a missing key, so composing every mail in every language shows every key a mail uses exists. */
  @Test
  void everyKeyAMailUsesExistsInEveryLanguage() throws IOException {
    for (String lang : MailComposer.LANGUAGES) {
      List<Mail> mails = everyMail(lang);
      assertEquals(mailKinds().size(), mails.stream().map(Mail::kind).distinct().count(), lang);
      // A reason without words would show as its code.
      for (String reason : requestReasons()) {
        assertTrue(mails.stream().noneMatch(mail -> mail.text().contains(reason)), lang + " lacks words for " + reason);
      }
    }
  }

  /** Every word of a bundle (each form of a plural, between its placeholders) shows up in some mail of its language. */
  @Test
  void noBundleHasKeysNoMailUses() throws IOException {
    List<String> unused = new ArrayList<>();
    for (String lang : MailComposer.LANGUAGES) {
      String all = String.join("\n", everyMail(lang).stream().map(mail -> mail.subject() + "\n" + mail.text()).toList());
      JsonNode messages = messages(lang);
      for (String key : keys(messages)) {
        for (JsonNode form : forms(messages.get(key))) {
          for (String words : MessageBundles.PLACEHOLDER.split(form.asText())) {
            if (!words.isBlank() && !all.contains(words)) {
              unused.add(lang + ": " + key + " (\"" + words + "\")");
            }
          }
        }
      }
    }
    assertEquals(List.of(), unused);
  }

  @Test
  void japaneseMailsSay2段階認証Never2FA() throws IOException {
    String all = messages("ja").toString();
    assertFalse(all.contains("2FA") || all.contains("TOTP"), "Japanese says 2段階認証, never 2FA");
  }

  /** Every kind named on Mailer, through the composer method that writes it, with every reason and count form. */
  private List<Mail> everyMail(String lang) throws IOException {
    UserRow user = new UserRow(1, "owner@example.com", "x", 0, null, null, null, null, 0, false, null, null, null,
      lang, null);
    ClientInfo client = new ClientInfo("203.0.113.7", "Firefox");
    List<Mail> mails = new ArrayList<>();
    for (String kind : mailKinds()) {
      switch (kind) {
        case Mailer.VERIFY_EMAIL -> mails.add(composer.verification(user, client, AT, "token"));
        case Mailer.PASSWORD_RESET, Mailer.ACCOUNT_SECURED, Mailer.ACCOUNT_SECURED_2FA_OFF -> mails.add(composer.passwordReset(user, kind, client, AT, "token"));
        case Mailer.SUPPORT_REQUESTED -> {
          for (String reason : requestReasons()) {
            mails.add(composer.supportRequested(user, client, AT, "token", reason, AT.plusSeconds(3 * 86400)));
          }
        }
        case Mailer.SUPPORT_DECLINED -> mails.add(composer.supportDeclined(user, AT, "No proof"));
        case Mailer.PHRASE_CHANGED -> mails.add(composer.phraseChanged(withPhrase(user), client, AT, AT.plusSeconds(86400), "token"));
        case Mailer.TWO_FACTOR_REQUIRED -> {
          for (int daysLeft : new int[] {1, 7}) {
            mails.add(composer.twoFactorRequired(user, AT, daysLeft, AT.plusSeconds(daysLeft * 86400L)));
          }
        }
        default -> {
          for (int count : new int[] {1, 3}) {
            mails.add(composer.notice(user, kind, client, AT, count, "token"));
          }
        }
      }
    }
    return mails;
  }

  /** The same user with an anti-phishing phrase (sealed: the composer only leaves its place above the body). */
  private static UserRow withPhrase(UserRow user) {
    return new UserRow(user.id(), user.email(), user.passwordHash(), 0, null, null, null, null, 0, false, null, null, null,
      user.language(), null, false, 0, null, null, new byte[] {1}, null, null);
  }

  /** The kinds named on Mailer: a kind added there without words fails here. */
  private static List<String> mailKinds() {
    List<String> kinds = new ArrayList<>();
    for (Field field : Mailer.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
        try {
          kinds.add((String) field.get(null));
        } catch (IllegalAccessException e) {
          throw new AssertionError(e);
        }
      }
    }
    assertTrue(kinds.contains(Mailer.LOGIN_ABANDONED) && kinds.size() > 10, kinds.toString());
    return kinds;
  }

  /** The reasons a request to turn off 2FA may give, as the API reference lists them. */
  private static List<String> requestReasons() throws IOException {
    Matcher reasons = Pattern.compile("reason: \\{ type: string, enum: \\[([^\\]]+)]")
      .matcher(Files.readString(Path.of("src/main/resources/openapi.yaml")));
    assertTrue(reasons.find(), "the reason enum in openapi.yaml");
    return List.of(reasons.group(1).split("[,\\s]+"));
  }

}
