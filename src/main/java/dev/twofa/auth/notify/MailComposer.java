package dev.twofa.auth.notify;

import dev.twofa.auth.account.UserRow;

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
public final class MailComposer {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  /**
   * Subject and body lines; {n} is replaced by the mail's count parameter, other {name}s by the mail's values.
   * {@code linkLabel}, when set, is what the mail's link says (else the link shows its address).
   */
  private record Words(String subject, String body, String linkLabel) {
    Words(String subject, String body) {
      this(subject, body, null);
    }
  }

  private static final Map<String, Map<String, Words>> WORDS = Map.of(
    "en", Map.ofEntries(
      entry(Mailer.VERIFY_EMAIL, new Words("Confirm your email address",
        "Open this link within 24 hours to confirm that this address is yours. If you did not create an account, ignore this mail.")),
      entry(Mailer.TWO_FACTOR_ENABLED, new Words("Two-factor authentication was turned on",
        "Two-factor authentication was turned on for your account. Every other session was logged out.")),
      entry(Mailer.TWO_FACTOR_DISABLED_BY_SUPPORT, new Words("The support desk turned off two-factor authentication",
        "At your request, our support desk turned off two-factor authentication for your account and logged out every session.")),
      entry(Mailer.TWO_FACTOR_CHANGED, new Words("Your authenticator app was changed",
        "A new authenticator app now gives the codes for your account; the old one no longer works.")),
      entry(Mailer.RECOVERY_CODES_REGENERATED, new Words("New recovery codes were generated",
        "New recovery codes were generated for your account; the earlier ones no longer work.")),
      entry(Mailer.RECOVERY_CODE_USED, new Words("A recovery code was used to log in",
        "A recovery code was used to log in to your account. {n} recovery codes are left.")),
      entry(Mailer.PASSWORD_CHANGED, new Words("Your password was changed",
        "The password of your account was changed. Every other session was logged out.")),
      entry(Mailer.PASSWORD_RESET, new Words("Reset your password",
        "Someone, hopefully you, asked to reset the password of your account. Open this link within 1 hour to choose a new one. It works once, and only the newest link works. If you did not ask, ignore this mail: your password stays as it is. With two-factor authentication on, logging in will still ask for your code.")),
      entry(Mailer.ACCOUNT_SECURED, new Words("Your account was secured: set a new password",
        "As asked from a security notice, every session on your account was logged out. Open this link within 1 hour to set a new password. It works once. With two-factor authentication on, logging in will still ask for your code.")),
      entry(Mailer.SUPPORT_REQUESTED, new Words("A request to turn off 2FA was made",
        "Someone who entered your password asked our support desk to turn off two-factor authentication for your "
          + "account (reason given: {reason}). The support desk will not act on it before {after}. If it was you, there "
          + "is nothing to do: they will contact you. If it wasn't you, cancel the request with the link below and "
          + "change your password: someone knows it.", "This wasn't me: cancel it")),
      entry(Mailer.SUPPORT_DECLINED, new Words("Your request to turn off 2FA was declined",
        "Our support desk declined the request to turn off two-factor authentication for your account. Two-factor "
          + "authentication stays on. The support desk's reason: {why}")),
      entry(Mailer.NEW_SIGN_IN, new Words("New sign-in to your account",
        "Someone logged in to your account from a browser that has not been used with it in the last 90 days.")),
      entry(Mailer.LOGIN_ABANDONED, new Words("Someone entered your password but not the 2FA code",
        "Someone entered the correct password for your account but not a valid two-factor code, so they were not"
          + " logged in (too many wrong codes, or time ran out). Below are the time, address and browser of the"
          + " password step."))),
    "ja", Map.ofEntries(
      entry(Mailer.VERIFY_EMAIL, new Words("メールアドレスの確認",
        "このアドレスがご本人のものであることを確認するため、24時間以内に次のリンクを開いてください。アカウントを作成した覚えがない場合は、このメールを無視してください。")),
      entry(Mailer.TWO_FACTOR_ENABLED, new Words("2段階認証が有効になりました",
        "アカウントの2段階認証が有効になりました。他のすべてのセッションはログアウトされました。")),
      entry(Mailer.TWO_FACTOR_DISABLED_BY_SUPPORT, new Words("サポート窓口が2段階認証を無効にしました",
        "ご依頼により、サポート窓口がアカウントの2段階認証を無効にし、すべてのセッションをログアウトしました。")),
      entry(Mailer.TWO_FACTOR_CHANGED, new Words("認証アプリが変更されました",
        "アカウントのコードは新しい認証アプリで表示されるようになりました。以前のアプリは使えません。")),
      entry(Mailer.RECOVERY_CODES_REGENERATED, new Words("新しいリカバリーコードが発行されました",
        "アカウントの新しいリカバリーコードが発行されました。以前のコードは使えません。")),
      entry(Mailer.RECOVERY_CODE_USED, new Words("リカバリーコードでログインされました",
        "リカバリーコードを使ってアカウントにログインされました。残りのリカバリーコードは{n}個です。")),
      entry(Mailer.PASSWORD_CHANGED, new Words("パスワードが変更されました",
        "アカウントのパスワードが変更されました。他のすべてのセッションはログアウトされました。")),
      entry(Mailer.PASSWORD_RESET, new Words("パスワードの再設定",
        "アカウントのパスワード再設定のご依頼を受け付けました。1時間以内に次のリンクを開いて、新しいパスワードを設定してください。リンクは1回だけ使え、最後に送信したリンクのみ有効です。お心当たりがない場合は、このメールを無視してください。パスワードは変更されません。2段階認証がオンの場合、ログイン時には引き続き認証コードが必要です。")),
      entry(Mailer.ACCOUNT_SECURED, new Words("アカウントを保護しました：新しいパスワードを設定してください",
        "セキュリティのお知らせからのご依頼により、アカウントのすべてのセッションをログアウトしました。1時間以内に次のリンクを開いて、新しいパスワードを設定してください。リンクは1回だけ使えます。2段階認証がオンの場合、ログイン時には引き続き認証コードが必要です。")),
      entry(Mailer.SUPPORT_REQUESTED, new Words("2段階認証の無効化が依頼されました",
        "あなたのパスワードを入力した方から、アカウントの2段階認証を無効にするようサポート窓口に依頼がありました"
          + "（理由：{reason}）。サポート窓口が対応するのは{after}以降です。ご自身による依頼であれば、何もする必要はありません。"
          + "サポート窓口からご連絡します。心当たりがない場合は、下のリンクから依頼を取り消し、パスワードを変更してください。"
          + "第三者にパスワードを知られています。", "心当たりがないので取り消す")),
      entry(Mailer.SUPPORT_DECLINED, new Words("2段階認証の無効化の依頼は見送られました",
        "サポート窓口は、アカウントの2段階認証を無効にするご依頼を見送りました。2段階認証はオンのままです。"
          + "サポート窓口からの理由：{why}")),
      entry(Mailer.NEW_SIGN_IN, new Words("アカウントに新しいログインがありました",
        "過去90日間このアカウントで使われていないブラウザから、アカウントにログインがありました。")),
      entry(Mailer.LOGIN_ABANDONED, new Words("パスワードが入力されましたが、2段階認証は完了しませんでした",
        "アカウントの正しいパスワードが入力されましたが、有効な2段階認証のコードが入力されなかったため、ログインは完了していません"
          + "（コードの誤りが多すぎたか、時間切れになりました）。パスワードが入力されたときの日時、IPアドレス、ブラウザは次のとおりです。"))));

  /** The reasons a request to turn off 2FA may give, in the words of each language. */
  private static final Map<String, Map<String, String>> REQUEST_REASONS = Map.of(
    "en", Map.of("lost_phone", "new or lost phone", "deleted_app", "deleted the authenticator app",
      "lost_recovery_codes", "lost the recovery codes", "never_enabled", "never turned on 2FA"),
    "ja", Map.of("lost_phone", "スマートフォンの機種変更・紛失", "deleted_app", "認証アプリを削除した",
      "lost_recovery_codes", "リカバリーコードをなくした", "never_enabled", "2段階認証を有効にした覚えがない"));

  private static final Map<String, List<String>> LABELS = Map.of(
    "en", List.of("When", "IP address", "Browser", "This wasn't me? Secure your account:",
      "Your account", "The link works once, for 7 days. It logs out every session and mails you a link to set a new password."),
    "ja", List.of("日時", "IPアドレス", "ブラウザ", "心当たりがない場合は、こちらからアカウントを保護してください：",
      "アカウント", "リンクは7日間、1回だけ使えます。すべてのセッションをログアウトし、新しいパスワードを設定するためのリンクをメールでお送りします。"));

  private final String productName;
  private final URI publicUrl;

  public MailComposer(String productName, URI publicUrl) {
    this.productName = productName;
    this.publicUrl = publicUrl;
  }

  public static String language(String language) {
    return WORDS.containsKey(language) ? language : "en";
  }

  /** A security notification about {@code kind}; {@code count} fills {n} (recovery codes left). */
  Mail notice(UserRow user, String kind, ClientInfo client, Instant at, Integer count) {
    return notice(user, kind, client, at, count, null);
  }

  /** The same, ending with "This wasn't me? Secure your account:" and the mail's own link ({@code secureToken}). */
  Mail notice(UserRow user, String kind, ClientInfo client, Instant at, Integer count, String secureToken) {
    return compose(user, kind, client, at, count, null, secureToken == null ? null : link("/secure-account?token=" + secureToken));
  }

  /** The verification mail with its single-use link. */
  Mail verification(UserRow user, ClientInfo client, Instant at, String token) {
    return compose(user, Mailer.VERIFY_EMAIL, client, at, null, link("/verify-email?token=" + token), null);
  }

  /** A reset link: {@code kind} is Mailer.PASSWORD_RESET ("Forgot password?") or Mailer.ACCOUNT_SECURED ("This wasn't me"). */
  Mail passwordReset(UserRow user, String kind, ClientInfo client, Instant at, String token) {
    return compose(user, kind, client, at, null, link("/reset-password?token=" + token), null);
  }

  /**
   * The owner's notice of a request to turn off 2FA, with the single-use link that cancels it. It carries neither
   * the contact nor the message the requester typed: a stranger's words never reach the owner in our mail.
   */
  Mail supportRequested(UserRow user, ClientInfo client, Instant at, String token, String reason, Instant replyAfter) {
    String language = language(user.language());
    return composeWith(user, Mailer.SUPPORT_REQUESTED, client, at, Map.of("reason", REQUEST_REASONS.get(language).getOrDefault(reason, reason),
      "after", TIME.format(replyAfter)), link("/support/cancel?token=" + token), null);
  }

  /** The support desk declined the request; {@code why} is the staff member's reason (neither their address nor browser). */
  Mail supportDeclined(UserRow user, Instant at, String why) {
    return composeWith(user, Mailer.SUPPORT_DECLINED, ClientInfo.UNKNOWN, at, Map.of("why", why), null, null);
  }

  private String link(String pathAndQuery) {
    String base = publicUrl.toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + pathAndQuery;
  }

  private Mail compose(UserRow user, String kind, ClientInfo client, Instant at, Integer count, String link,
                       String secureLink) {
    return composeWith(user, kind, client, at, Map.of("n", count == null ? "" : String.valueOf(count)), link, secureLink);
  }

  /** {@code values} fill the body's {name} slots; {@code secureLink} ("This wasn't me") ends a notice that has no link of its own. */
  private Mail composeWith(UserRow user, String kind, ClientInfo client, Instant at, Map<String, String> values, String link,
                           String secureLink) {
    String language = language(user.language());
    Words words = WORDS.get(language).get(kind);
    List<String> labels = LABELS.get(language);
    String body = words.body();
    for (Map.Entry<String, String> value : values.entrySet()) {
      body = body.replace("{" + value.getKey() + "}", value.getValue());
    }
    String subject = "[" + productName + "] " + words.subject();
    String[][] facts = {
      {labels.get(4), user.email()},
      {labels.get(0), TIME.format(at)},
      {labels.get(1), client.ip().isEmpty() ? "-" : client.ip()},
      {labels.get(2), client.userAgent().isEmpty() ? "-" : client.userAgent()}};
    boolean notice = link == null && secureLink != null;

    StringBuilder text = new StringBuilder(body).append("\n\n");
    if (link != null) {
      text.append(words.linkLabel() == null ? "" : words.linkLabel() + ":\n").append(link).append("\n\n");
    }
    for (String[] fact : facts) {
      text.append(fact[0]).append(": ").append(fact[1]).append('\n');
    }
    if (notice) {
      text.append('\n').append(labels.get(3)).append(' ').append(secureLink).append('\n').append(labels.get(5)).append('\n');
    }
    text.append("\n-- \n").append(productName).append(' ').append(link("/")).append('\n');

    StringBuilder html = new StringBuilder("<!DOCTYPE html><html lang=\"").append(language)
      .append("\"><body style=\"font-family:sans-serif\"><p>").append(escape(body)).append("</p>");
    if (link != null) {
      html.append("<p><a href=\"").append(escape(link)).append("\">")
        .append(escape(words.linkLabel() == null ? link : words.linkLabel())).append("</a></p>");
    }
    html.append("<table>");
    for (String[] fact : facts) {
      html.append("<tr><th align=\"left\">").append(escape(fact[0])).append("</th><td>").append(escape(fact[1]))
        .append("</td></tr>");
    }
    html.append("</table>");
    if (notice) {
      html.append("<p>").append(escape(labels.get(3))).append(" <a href=\"").append(escape(secureLink)).append("\">")
        .append(escape(secureLink)).append("</a><br>").append(escape(labels.get(5))).append("</p>");
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
