package dev.twofa.auth.notify;

/** One composed mail: plain text and an HTML alternative, both already in the recipient's language. */
public record Mail(Long userId, String kind, String recipient, String subject, String text, String html) {
}
