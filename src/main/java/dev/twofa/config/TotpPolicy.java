package dev.twofa.config;

/**
 * RFC 6238 parameters and what the authenticator app shows.
 * {@code accountName} may be the literal {@code {email}} to label the entry with the user's address.
 */
public record TotpPolicy(String issuer, String accountName, int digits, int periodSeconds, int windowSteps) {
  public static final String EMAIL_PLACEHOLDER = "{email}";

  public String accountNameFor(String email) {
    return accountName.replace(EMAIL_PLACEHOLDER, email);
  }
}
