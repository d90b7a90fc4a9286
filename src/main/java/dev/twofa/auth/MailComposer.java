package dev.twofa.auth;

import dev.twofa.bus.ClientInfo;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import static java.util.Map.entry;

/**
 * The words of every mail, in English and Japanese, as plain text and simple HTML (every value escaped). A mail
 * says what happened, when, from which address and browser; it never carries a code, a secret or a password.
 */
final class MailComposer {
  static final String VERIFY_EMAIL = "email.verify";
  static final String TWO_FACTOR_ENABLED = "2fa.enabled";
  static final String TWO_FACTOR_DISABLED_BY_SUPPORT = "2fa.disabled_by_support";
  static final String TWO_FACTOR_CHANGED = "2fa.changed";
  static final String RECOVERY_CODES_REGENERATED = "recovery_codes.regenerated";
  static final String RECOVERY_CODE_USED = "recovery_code.used";
  static final String PASSWORD_CHANGED = "password.changed";
  /** A login completed from a browser not seen on the account in 90 days. */
  static final String NEW_SIGN_IN = "login.new_browser";
  /** A password step passed whose second step never did (too many wrong codes, or expired). */
  static final String LOGIN_ABANDONED = "login.abandoned";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /** Subject and body lines; {n} is replaced by the mail's count parameter. */
  private record Words(String subject, String body) {
  }

  private static final Map<String, Map<String, Words>> WORDS = Map.of(
    "en", Map.ofEntries(
      entry(VERIFY_EMAIL, new Words("Confirm your email address",
        "Open this link within 24 hours to confirm that this address is yours. If you did not create an account, ignore this mail.")),
      entry(TWO_FACTOR_ENABLED, new Words("Two-factor authentication was turned on",
        "Two-factor authentication was turned on for your account. Every other session was logged out.")),
      entry(TWO_FACTOR_DISABLED_BY_SUPPORT, new Words("The support desk turned off two-factor authentication",
        "At your request, our support desk turned off two-factor authentication for your account and logged out every session.")),
      entry(TWO_FACTOR_CHANGED, new Words("Your authenticator app was changed",
        "A new authenticator app now gives the codes for your account; the old one no longer works.")),
      entry(RECOVERY_CODES_REGENERATED, new Words("New recovery codes were generated",
        "New recovery codes were generated for your account; the earlier ones no longer work.")),
      entry(RECOVERY_CODE_USED, new Words("A recovery code was used to log in",
        "A recovery code was used to log in to your account. {n} recovery codes are left.")),
      entry(PASSWORD_CHANGED, new Words("Your password was changed",
        "The password of your account was changed. Every other session was logged out.")),
      entry(NEW_SIGN_IN, new Words("New sign-in to your account",
        "Someone logged in to your account from a browser that has not been used with it in the last 90 days.")),
      entry(LOGIN_ABANDONED, new Words("Someone entered your password but not the 2FA code",
        "Someone entered the correct password for your account but not a valid two-factor code, so they were not"
          + " logged in (too many wrong codes, or time ran out). Below are the time, address and browser of the"
          + " password step."))),
    "ja", Map.ofEntries(
      entry(VERIFY_EMAIL, new Words("メールアドレスの確認",
        "このアドレスがご本人のものであることを確認するため、24時間以内に次のリンクを開いてください。アカウントを作成した覚えがない場合は、このメールを無視してください。")),
      entry(TWO_FACTOR_ENABLED, new Words("2段階認証が有効になりました",
        "アカウントの2段階認証が有効になりました。他のすべてのセッションはログアウトされました。")),
      entry(TWO_FACTOR_DISABLED_BY_SUPPORT, new Words("サポート窓口が2段階認証を無効にしました",
        "ご依頼により、サポート窓口がアカウントの2段階認証を無効にし、すべてのセッションをログアウトしました。")),
      entry(TWO_FACTOR_CHANGED, new Words("認証アプリが変更されました",
        "アカウントのコードは新しい認証アプリで表示されるようになりました。以前のアプリは使えません。")),
      entry(RECOVERY_CODES_REGENERATED, new Words("新しいリカバリーコードが発行されました",
        "アカウントの新しいリカバリーコードが発行されました。以前のコードは使えません。")),
      entry(RECOVERY_CODE_USED, new Words("リカバリーコードでログインされました",
        "リカバリーコードを使ってアカウントにログインされました。残りのリカバリーコードは{n}個です。")),
      entry(PASSWORD_CHANGED, new Words("パスワードが変更されました",
        "アカウントのパスワードが変更されました。他のすべてのセッションはログアウトされました。")),
      entry(NEW_SIGN_IN, new Words("アカウントに新しいログインがありました",
        "過去90日間このアカウントで使われていないブラウザから、アカウントにログインがありました。")),
      entry(LOGIN_ABANDONED, new Words("パスワードが入力されましたが、2段階認証は完了しませんでした",
        "アカウントの正しいパスワードが入力されましたが、有効な2段階認証のコードが入力されなかったため、ログインは完了していません"
          + "（コードの誤りが多すぎたか、時間切れになりました）。パスワードが入力されたときの日時、IPアドレス、ブラウザは次のとおりです。"))));

  private static final Map<String, List<String>> LABELS = Map.of(
    "en", List.of("When", "IP address", "Browser", "If this wasn't you, change your password and contact the support desk.",
      "Your account"),
    "ja", List.of("日時", "IPアドレス", "ブラウザ", "心当たりがない場合は、パスワードを変更してサポート窓口にご連絡ください。",
      "アカウント"));

  private final String productName;
  private final URI publicUrl;

  MailComposer(String productName, URI publicUrl) {
    this.productName = productName;
    this.publicUrl = publicUrl;
  }

  static String language(String language) {
    return WORDS.containsKey(language) ? language : "en";
  }

  /** A security notification about {@code kind}; {@code count} fills {n} (recovery codes left). */
  Mail notice(UserRow user, String kind, ClientInfo client, Instant at, Integer count) {
    return compose(user, kind, client, at, count, null);
  }

  /** The verification mail with its single-use link. */
  Mail verification(UserRow user, ClientInfo client, Instant at, String token) {
    return compose(user, VERIFY_EMAIL, client, at, null, link("/verify-email?token=" + token));
  }

  private String link(String pathAndQuery) {
    String base = publicUrl.toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + pathAndQuery;
  }

  private Mail compose(UserRow user, String kind, ClientInfo client, Instant at, Integer count, String link) {
    String language = language(user.language());
    Words words = WORDS.get(language).get(kind);
    List<String> labels = LABELS.get(language);
    String body = words.body().replace("{n}", count == null ? "" : String.valueOf(count));
    String subject = "[" + productName + "] " + words.subject();
    String[][] facts = {
      {labels.get(4), user.email()},
      {labels.get(0), TIME.format(at)},
      {labels.get(1), client.ip().isEmpty() ? "-" : client.ip()},
      {labels.get(2), client.userAgent().isEmpty() ? "-" : client.userAgent()}};
    boolean notice = link == null;

    StringBuilder text = new StringBuilder(body).append("\n\n");
    if (link != null) {
      text.append(link).append("\n\n");
    }
    for (String[] fact : facts) {
      text.append(fact[0]).append(": ").append(fact[1]).append('\n');
    }
    if (notice) {
      text.append('\n').append(labels.get(3)).append('\n');
    }
    text.append("\n-- \n").append(productName).append(' ').append(link("/")).append('\n');

    StringBuilder html = new StringBuilder("<!DOCTYPE html><html lang=\"").append(language)
      .append("\"><body style=\"font-family:sans-serif\"><p>").append(escape(body)).append("</p>");
    if (link != null) {
      html.append("<p><a href=\"").append(escape(link)).append("\">").append(escape(link)).append("</a></p>");
    }
    html.append("<table>");
    for (String[] fact : facts) {
      html.append("<tr><th align=\"left\">").append(escape(fact[0])).append("</th><td>").append(escape(fact[1]))
        .append("</td></tr>");
    }
    html.append("</table>");
    if (notice) {
      html.append("<p>").append(escape(labels.get(3))).append("</p>");
    }
    html.append("<p style=\"color:#666\">").append(escape(productName)).append("</p></body></html>");
    return new Mail(user.id(), kind, user.email(), subject, text.toString(), html.toString());
  }

  static String escape(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
