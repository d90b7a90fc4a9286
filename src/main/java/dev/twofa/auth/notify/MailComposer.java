package dev.twofa.auth.notify;

import dev.twofa.auth.account.UserRow;

import dev.twofa.bus.ClientInfo;

import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Every mail, in English and Japanese, as plain text and simple HTML (every value escaped), in the words of the
 * bundles ({@link MailMessages}). A mail says what happened, when, from which address and browser; it never
 * carries a code, a secret or a password.
 */
public final class MailComposer {
  /** The languages mails are written in; the first is the fallback. */
  static final List<String> LANGUAGES = List.of("en", "ja");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);

  private final String productName;
  private final URI publicUrl;
  private final MailMessages messages = new MailMessages(LANGUAGES);

  public MailComposer(String productName, URI publicUrl) {
    this.productName = productName;
    this.publicUrl = publicUrl;
  }

  public static String language(String language) {
    return language != null && LANGUAGES.contains(language) ? language : LANGUAGES.get(0);
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
    String reasonKey = Mailer.SUPPORT_REQUESTED + ".reason." + reason;
    return composeWith(user, Mailer.SUPPORT_REQUESTED, client, at,
      Map.of("reason", messages.has(language, reasonKey) ? messages.word(language, reasonKey) : reason,
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
    // The count also picks the plural form; without one, {n} is left empty.
    return composeWith(user, kind, client, at, Map.<String, Object>of("n", count == null ? "" : count), link, secureLink);
  }

  /** {@code values} fill the body's {name} slots; {@code secureLink} ("This wasn't me") ends a notice that has no link of its own. */
  private Mail composeWith(UserRow user, String kind, ClientInfo client, Instant at, Map<String, ?> values, String link,
                           String secureLink) {
    String language = language(user.language());
    String body = messages.format(language, kind + ".body", values);
    String linkLabel = messages.has(language, kind + ".link") ? messages.word(language, kind + ".link") : null;
    String subject = "[" + productName + "] " + messages.word(language, kind + ".subject");
    String[][] facts = {
      {messages.word(language, "fact.account"), user.email()},
      {messages.word(language, "fact.when"), TIME.format(at)},
      {messages.word(language, "fact.ip"), client.ip().isEmpty() ? "-" : client.ip()},
      {messages.word(language, "fact.browser"), client.userAgent().isEmpty() ? "-" : client.userAgent()}};
    boolean notice = link == null && secureLink != null;
    String securePrompt = messages.word(language, "secure.prompt");
    String secureNote = messages.word(language, "secure.note");

    StringBuilder text = new StringBuilder(body).append("\n\n");
    if (link != null) {
      text.append(linkLabel == null ? "" : linkLabel + ":\n").append(link).append("\n\n");
    }
    for (String[] fact : facts) {
      text.append(fact[0]).append(": ").append(fact[1]).append('\n');
    }
    if (notice) {
      text.append('\n').append(securePrompt).append(' ').append(secureLink).append('\n').append(secureNote).append('\n');
    }
    text.append("\n-- \n").append(productName).append(' ').append(link("/")).append('\n');

    StringBuilder html = new StringBuilder("<!DOCTYPE html><html lang=\"").append(language)
      .append("\"><body style=\"font-family:sans-serif\"><p>").append(escape(body)).append("</p>");
    if (link != null) {
      html.append("<p><a href=\"").append(escape(link)).append("\">")
        .append(escape(linkLabel == null ? link : linkLabel)).append("</a></p>");
    }
    html.append("<table>");
    for (String[] fact : facts) {
      html.append("<tr><th align=\"left\">").append(escape(fact[0])).append("</th><td>").append(escape(fact[1]))
        .append("</td></tr>");
    }
    html.append("</table>");
    if (notice) {
      html.append("<p>").append(escape(securePrompt)).append(" <a href=\"").append(escape(secureLink)).append("\">")
        .append(escape(secureLink)).append("</a><br>").append(escape(secureNote)).append("</p>");
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
