package dev.twofa.auth.notify;

import dev.twofa.auth.account.UserRow;

import com.github.jknack.handlebars.EscapingStrategy;
import com.github.jknack.handlebars.Handlebars;
import com.github.jknack.handlebars.Helper;
import com.github.jknack.handlebars.Template;
import com.github.jknack.handlebars.io.ClassPathTemplateLoader;
import dev.twofa.bus.Browser;
import dev.twofa.bus.ClientInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Every mail, in English and Japanese, as plain text and simple HTML: the words come from the bundles
 * ({@link MailMessages}), the layout from two Handlebars templates ({@code templates/mail.text.hbs} and
 * {@code mail.html.hbs}, the HTML one escaping every value). A mail says what happened, when, from which address
 * and which browser ("Chrome on Windows", from {@link Browser}'s list: never the User-Agent text, which anyone
 * writes); a mail anyone can cause by typing the address says nothing of who asked. It never carries a code, a
 * secret or a password; the account's own anti-phishing phrase goes above the body, in its marked place, only
 * once the mail leaves the outbox.
 */
final class MailComposer {
  /** The languages mails are written in; the first is the fallback. */
  static final List<String> LANGUAGES = List.of("en", "ja");
  /**
   * Mails without the requester's address and browser: those a stranger can cause by typing the owner's address
   * ("Forgot password?", sign-up), and the digest, which tells of many.
   */
  private static final Set<String> WITHOUT_REQUESTER = Set.of(Mailer.PASSWORD_RESET, Mailer.VERIFY_EMAIL,
    Mailer.NEW_SIGN_IN_DIGEST, Mailer.TWO_FACTOR_REQUIRED);
  /**
   * Times as the reader's clock shows them, in their zone: 「2026年12月7日 11:04（日本時間）」 (vvvv: the zone's generic
   * name, 日本時間 rather than 日本標準時) and "Dec 7, 2026, 11:04 AM JST".
   */
  private static final Map<String, DateTimeFormatter> TIME = Map.of(
    "en", DateTimeFormatter.ofPattern("MMM d, uuuu, h:mm a z", Locale.ENGLISH),
    "ja", DateTimeFormatter.ofPattern("uuuu年M月d日 H:mm（vvvv）", Locale.JAPANESE));
  /** Where an account without a (known) zone is assumed to be: Japan for a Japanese sign-up, else UTC. */
  private static final Map<String, ZoneId> DEFAULT_ZONE = Map.of("en", ZoneId.of("UTC"), "ja", ZoneId.of("Asia/Tokyo"));

  private final String productName;
  private final URI publicUrl;
  private final MailMessages messages = new MailMessages(LANGUAGES);
  private final Template text;
  private final Template html;

  public MailComposer(String productName, URI publicUrl) {
    this.productName = productName;
    this.publicUrl = publicUrl;
    // Compiled once, here: a compiled template renders synchronously and may be shared between threads. The HTML
    // keeps our escape rather than Handlebars' HTML_ENTITY (which also encodes = and `), so mails stay as they were.
    this.text = compile("mail.text", EscapingStrategy.NOOP);
    this.html = compile("mail.html", value -> escape(value.toString()));
  }

  public static String language(String language) {
    return language != null && LANGUAGES.contains(language) ? language : LANGUAGES.get(0);
  }

  /**
   * The zone of an account's mails: {@code timeZone} when java.time knows it as a region (an IANA name such as
   * Asia/Tokyo, as the browser's Intl reports it), else the default of its language. Sign-up stores its result.
   */
  static ZoneId zone(String timeZone, String language) {
    if (timeZone != null && timeZone.length() <= 64 && ZoneId.getAvailableZoneIds().contains(timeZone)) {
      try {
        return ZoneId.of(timeZone);
      } catch (DateTimeException e) {
        // Listed but without rules on this JDK: fall back like an unknown name.
      }
    }
    return DEFAULT_ZONE.get(language(language));
  }

  /** {@code at} in {@code user}'s zone and language. */
  private static String time(UserRow user, Instant at) {
    String language = language(user.language());
    return TIME.get(language).withZone(zone(user.timeZone(), language)).format(at);
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

  /** A reset link: {@code kind} is Mailer.PASSWORD_RESET ("Forgot password?") or Mailer.ACCOUNT_SECURED(_2FA_OFF) ("This wasn't me"). */
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
        "after", time(user, replyAfter)), link("/support/cancel?token=" + token), null);
  }

  /** The phrase changes at {@code takesEffect}; the mail's "This wasn't me" ({@code secureToken}) cancels it. */
  Mail phraseChanged(UserRow user, ClientInfo client, Instant at, Instant takesEffect, String secureToken) {
    return composeWith(user, Mailer.PHRASE_CHANGED, client, at, Map.of("when", time(user, takesEffect)), null,
      link("/secure-account?token=" + secureToken));
  }

  /** The support desk declined the request; {@code why} is the staff member's reason (neither their address nor browser). */
  Mail supportDeclined(UserRow user, Instant at, String why) {
    return composeWith(user, Mailer.SUPPORT_DECLINED, ClientInfo.UNKNOWN, at, Map.of("why", why), null, null);
  }

  /** The reminder to turn on a required 2FA: {n} days left, until {date} (in the user's zone), and the set-up link. */
  Mail twoFactorRequired(UserRow user, Instant at, int daysLeft, Instant due) {
    return composeWith(user, Mailer.TWO_FACTOR_REQUIRED, ClientInfo.UNKNOWN, at,
      Map.<String, Object>of("n", daysLeft, "date", time(user, due)), link("/2fa/setup"), null);
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
    // Every value goes to the templates as it is: the HTML template escapes it, the text one has nothing to escape.
    Map<String, Object> mail = new HashMap<>();
    mail.put("lang", language);
    // The phrase's place, above the body; the phrase itself is filled in as the mail goes out (see Mail).
    byte[] phraseBox = user.phraseBoxAt(at);
    mail.put("phrase", phraseBox == null ? null : Mail.PHRASE);
    mail.put("body", messages.format(language, kind + ".body", values));
    mail.put("link", link);
    String linkKey = kind + ".link";
    mail.put("linkLabel", link != null && messages.has(language, linkKey) ? messages.word(language, linkKey) : null);
    mail.put("email", user.email());
    mail.put("when", time(user, at));
    // "2FA is on" to an address never confirmed: ask for it, so that we can warn the owner of someone else's try.
    String pleaseVerifyKey = kind + ".unverified";
    mail.put("pleaseVerify", !user.emailVerified() && messages.has(language, pleaseVerifyKey)
      ? messages.word(language, pleaseVerifyKey) : null);
    mail.put("requester", !WITHOUT_REQUESTER.contains(kind));
    mail.put("ip", client.ip().isEmpty() ? "-" : client.ip());
    mail.put("browser", client.userAgent().isEmpty() ? "-" : browser(language, Browser.of(client.userAgent())));
    mail.put("secureLink", link == null ? secureLink : null);
    mail.put("productName", productName);
    mail.put("home", link("/"));
    String subject = "[" + productName + "] " + messages.word(language, kind + ".subject");
    return new Mail(user.id(), kind, user.email(), subject, render(text, mail), render(html, mail), phraseBox);
  }

  /** "Chrome on Windows" / 「WindowsのChrome」, or the words for an unknown browser. */
  private String browser(String language, Browser browser) {
    String name = browser.name() == null ? messages.word(language, "ua.unknown") : browser.name();
    return browser.system() == null ? name
      : messages.format(language, "ua.on", Map.of("browser", name, "system", browser.system()));
  }

  /** A template of the bundles' language: {{t "key"}} is the word of {@code key} in the mail's {@code lang}. */
  private Template compile(String name, EscapingStrategy escaping) {
    Handlebars handlebars = new Handlebars(new ClassPathTemplateLoader("/templates", ".hbs")).with(escaping).prettyPrint(true);
    handlebars.registerHelper("t", (Helper<String>) (key, options) -> messages.word(options.get("lang"), key));
    try {
      return handlebars.compile(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String render(Template template, Map<String, Object> mail) {
    try {
      return template.apply(mail);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The HTML template's escaping, for element text and double-quoted attributes alike. */
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
