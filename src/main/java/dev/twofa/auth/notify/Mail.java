package dev.twofa.auth.notify;

/**
 * One composed mail: plain text and an HTML alternative, both already in the recipient's language. With
 * {@code phraseBox} (the recipient's sealed anti-phishing phrase), both bodies hold {@link #PHRASE} in the phrase's
 * marked place, filled only as the mail goes out ({@link #withPhrase}).
 */
public record Mail(Long userId, String kind, String recipient, String subject, String text, String html,
                   byte[] phraseBox) {
  /** Where the phrase goes: private-use characters, which no template word holds. */
  static final String PHRASE = "\uE000phrase\uE000";

  public Mail(Long userId, String kind, String recipient, String subject, String text, String html) {
    this(userId, kind, recipient, subject, text, html, null);
  }

  /** The mail as sent: the phrase in its place (the first, the one above the body), escaped in the HTML part. */
  Mail withPhrase(String phrase) {
    return new Mail(userId, kind, recipient, subject, text.replaceFirst(PHRASE, java.util.regex.Matcher.quoteReplacement(phrase)),
      html.replaceFirst(PHRASE, java.util.regex.Matcher.quoteReplacement(MailComposer.escape(phrase))), null);
  }

  @Override
  public String toString() {
    return "Mail[kind=" + kind + ", user=" + userId + "]";
  }
}
