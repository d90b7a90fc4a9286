package dev.twofa.auth.notify;

import dev.twofa.auth.Door;
import java.net.URI;
import io.vertx.sqlclient.Pool;
import dev.twofa.auth.account.PhraseSeal;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.links.AccountLinkRepository;
import dev.twofa.auth.links.EmailVerificationRepository;
import dev.twofa.auth.session.SessionTokens;

import dev.twofa.bus.ClientInfo;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What auth's services mail, always inside the transaction of the change: verification links (to the address
 * being proven), security notifications, each with its own "This wasn't me" link, and password-reset links.
 * {@link #nudge()} after the commit sends them without making the request wait.
 */
@Door
public final class Mailer {
  // What a mail is about; the kind names its words in the bundles and its row in mail_outbox.
  public static final String VERIFY_EMAIL = "email.verify";
  public static final String TWO_FACTOR_ENABLED = "2fa.enabled";
  public static final String TWO_FACTOR_DISABLED_BY_SUPPORT = "2fa.disabled_by_support";
  public static final String TWO_FACTOR_CHANGED = "2fa.changed";
  public static final String RECOVERY_CODES_REGENERATED = "recovery_codes.regenerated";
  public static final String RECOVERY_CODE_USED = "recovery_code.used";
  /** A recovery code was used and {@link dev.twofa.config.RecoveryCodePolicy#FEW} are left: make new ones. */
  public static final String RECOVERY_CODES_FEW = "recovery_codes.few";
  /** The set's last recovery code was used. */
  public static final String RECOVERY_CODES_NONE = "recovery_codes.none";
  public static final String PASSWORD_CHANGED = "password.changed";
  /** The "Forgot password?" mail, with its 1-hour reset link. */
  public static final String PASSWORD_RESET = "password.reset";
  /** After "This wasn't me": every session ended, and the reset link to choose a new password. */
  public static final String ACCOUNT_SECURED = "account.secured";
  /** The same, when it also turned off a 2FA turned on or changed just before (TWOFA_SECURE_ACCOUNT_UNDO_HOURS). */
  public static final String ACCOUNT_SECURED_2FA_OFF = "account.secured.2fa_off";
  public static final String SUPPORT_REQUESTED = "support.requested";
  public static final String SUPPORT_DECLINED = "support.declined";
  /** A login completed from a browser not seen on the account in 90 days. */
  public static final String NEW_SIGN_IN = "login.new_browser";
  /** The account's password-failure ceiling filled: only browsers that logged in to it before get in for now. */
  public static final String PASSWORD_CEILING = "login.ceiling";
  /** Past an account's hourly new-sign-in mails: how many more new browsers signed in ({n}). */
  public static final String NEW_SIGN_IN_DIGEST = "login.new_browser.digest";
  /** A password step passed whose second step never did (too many wrong codes, or expired). */
  public static final String LOGIN_ABANDONED = "login.abandoned";
  /** The anti-phishing phrase set (shown from this mail on) or changed (the new one shows from {when}). */
  public static final String PHRASE_SET = "phrase.set";
  public static final String PHRASE_CHANGED = "phrase.changed";
  public static final String PASSKEY_ADDED = "passkey.added";
  public static final String PASSKEY_RENAMED = "passkey.renamed";
  public static final String PASSKEY_REMOVED = "passkey.removed";
  /** A reminder to turn on a required 2FA before the grace period ends (TWOFA_REQUIRE_2FA). */
  public static final String TWO_FACTOR_REQUIRED = "2fa.required";
  /**
   * The notices that reach an address not yet verified: what changes how the account is guarded, and a request to
   * turn its 2FA off. The address is the account's only channel, and its reader can already take the account with
   * "Forgot password?", so a stranger's typo costs a stranger a mail, while holding it back left an owner who never
   * clicked the sign-up link blind to the attack these mails exist for. Routine notices (sign-ins, recovery codes)
   * wait for verification. Every notice is a security notice: none carries anything else.
   */
  static final Set<String> ALWAYS_SENT = Set.of(TWO_FACTOR_ENABLED, TWO_FACTOR_CHANGED, TWO_FACTOR_DISABLED_BY_SUPPORT,
    PASSWORD_CHANGED, SUPPORT_REQUESTED, SUPPORT_DECLINED, PASSKEY_ADDED, PASSKEY_REMOVED, PHRASE_SET, PHRASE_CHANGED);
  static final Duration VERIFICATION_LIFETIME = Duration.ofHours(24);
  /** A reset link is short-lived: it opens the account to whoever reads the mailbox. */
  static final Duration RESET_LIFETIME = Duration.ofHours(1);
  /** "This wasn't me" must still work when the owner reads the notice days later. */
  static final Duration SECURE_ACCOUNT_LIFETIME = Duration.ofDays(7);
  private final MailOutbox outbox;
  private final MailComposer composer;
  private final EmailVerificationRepository verifications;
  private final AccountLinkRepository links;
  private final Clock clock;

  /** Mails written to the outbox in the writer's commit and sent by {@code transport} after it. */
  public static Mailer create(Pool pool, MailTransport transport, String productName, URI publicUrl, Clock clock) {
    return create(pool, transport, productName, publicUrl, clock, null);
  }

  /** The same, filling each mail's anti-phishing phrase ({@code phrases} opens it) as the mail goes out. */
  public static Mailer create(Pool pool, MailTransport transport, String productName, URI publicUrl, Clock clock,
                              PhraseSeal phrases) {
    return new Mailer(new MailOutbox(pool, transport, clock, phrases), new MailComposer(productName, publicUrl),
      new EmailVerificationRepository(), new AccountLinkRepository(), clock);
  }

  /** The language a mail to an account with {@code language} is written in (the bundles' "en" or "ja"). */
  public static String language(String language) {
    return MailComposer.language(language);
  }

  /** The time zone (an IANA name) a mail to an account with {@code timeZone} and {@code language} gives times in. */
  public static String timeZone(String timeZone, String language) {
    return MailComposer.zone(timeZone, language).getId();
  }

  /**
   * The mail about a used recovery code that leaves {@code left}: at FEW and at none it asks for new codes. A user's
   * uses are serialized (recovery_code_use), so each count is reached once per set: each of these goes once.
   */
  public static String recoveryCodeUsed(int left) {
    return left == 0 ? RECOVERY_CODES_NONE : left == dev.twofa.config.RecoveryCodePolicy.FEW ? RECOVERY_CODES_FEW
      : RECOVERY_CODE_USED;
  }

  /** Counts the mails this node gives up in {@code registry}, for operators (twofa_mail_given_up_total). */
  public void countGivenUp(io.micrometer.core.instrument.MeterRegistry registry) {
    outbox.countGivenUp(registry);
  }

  /** Deletes mails sent or given up long enough ago (on auth's purge timer). */
  public Future<Integer> purgeSent() {
    return outbox.purgeSent();
  }

  Mailer(MailOutbox outbox, MailComposer composer, EmailVerificationRepository verifications,
         AccountLinkRepository links, Clock clock) {
    this.outbox = outbox;
    this.composer = composer;
    this.verifications = verifications;
    this.links = links;
    this.clock = clock;
  }

  /** A new single-use verification link for the user's address (any earlier link stops working). */
  public Future<Void> verification(SqlClient tx, UserRow user, ClientInfo client) {
    String token = SessionTokens.newToken();
    return verifications.replace(tx, user.id(), user.email(), SessionTokens.hash(token),
        clock.instant().plus(VERIFICATION_LIFETIME))
      .compose(stored -> outbox.add(tx, composer.verification(user, client, clock.instant(), token)));
  }

  /**
   * A security notification of {@code kind}, if it {@link #reaches} the user; {@code count} fills "N left".
   * It carries its own single-use "This wasn't me" link (7 days).
   */
  public Future<Void> notice(SqlClient tx, UserRow user, String kind, ClientInfo client, Integer count) {
    return notice(tx, user, kind, client, clock.instant(), count);
  }


  /**
   * A reset link (1 hour) to the user's address, verified or not: it is the only channel the account has, and
   * using the link proves the mailbox. It replaces any earlier reset link. {@code kind} is PASSWORD_RESET,
   * ACCOUNT_SECURED or ACCOUNT_SECURED_2FA_OFF (the words differ, the link does not).
   */
  public Future<Void> passwordReset(SqlClient tx, UserRow user, String kind, ClientInfo client) {
    String token = SessionTokens.newToken();
    Instant now = clock.instant();
    return links.replaceReset(tx, user.id(), user.email(), SessionTokens.hash(token), now, now.plus(RESET_LIFETIME))
      .compose(stored -> outbox.add(tx, composer.passwordReset(user, kind, client, now, token)));
  }

  /** Voids the user's reset link: a password change after a step-up (never a login: see R__links.sql). */
  public Future<Void> voidPasswordReset(SqlClient db, long userId) {
    return links.deleteReset(db, userId);
  }

  /**
   * Tells the owner, verified or not, that a request to turn off 2FA was made, with the link that cancels it
   * ({@code token}, whose hash the request holds): their only defence against a stranger's request.
   */
  public Future<Void> supportRequested(SqlClient tx, UserRow user, ClientInfo client, String token, String reason,
                                java.time.Instant replyAfter) {
    return reaches(user, SUPPORT_REQUESTED)
      ? outbox.add(tx, composer.supportRequested(user, client, clock.instant(), token, reason, replyAfter))
      : Future.succeededFuture();
  }

  /**
   * The anti-phishing phrase was changed: from {@code takesEffect} mails show the new one. This mail still shows the
   * old one, and its "This wasn't me" cancels the change.
   */
  public Future<Void> phraseChanged(SqlClient tx, UserRow user, ClientInfo client, Instant takesEffect) {
    String token = SessionTokens.newToken();
    Instant now = clock.instant();
    return links.add(tx, user.id(), user.email(), AccountLinkRepository.SECURE_ACCOUNT, SessionTokens.hash(token), now,
        now.plus(SECURE_ACCOUNT_LIFETIME))
      .compose(stored -> outbox.add(tx, composer.phraseChanged(user, client, now, takesEffect, token)));
  }

  /**
   * "Turn on 2FA within N days": to the address whether verified or not (the account's only channel), with the
   * set-up screen's link; {@code due} is when logins start to lead only there.
   */
  public Future<Void> twoFactorRequired(SqlClient db, UserRow user, int daysLeft, Instant due) {
    return outbox.add(db, composer.twoFactorRequired(user, clock.instant(), daysLeft, due));
  }

  /** Tells the owner that the support desk declined the request, and why. */
  public Future<Void> supportDeclined(SqlClient tx, UserRow user, String why) {
    return reaches(user, SUPPORT_DECLINED)
      ? outbox.add(tx, composer.supportDeclined(user, clock.instant(), why))
      : Future.succeededFuture();
  }

  /** A security notification about something that happened at {@code at}, written now (if it reaches the user). */
  Future<Void> noticeAt(SqlClient tx, UserRow user, String kind, ClientInfo client, Instant at) {
    return notice(tx, user, kind, client, at, null);
  }

  /** Every notice carries its own "This wasn't me" link, valid {@link #SECURE_ACCOUNT_LIFETIME} from now. */
  private Future<Void> notice(SqlClient tx, UserRow user, String kind, ClientInfo client, Instant at, Integer count) {
    if (!reaches(user, kind)) {
      return Future.succeededFuture();
    }
    String token = SessionTokens.newToken();
    Instant now = clock.instant();
    return links.add(tx, user.id(), user.email(), AccountLinkRepository.SECURE_ACCOUNT, SessionTokens.hash(token), now,
        now.plus(SECURE_ACCOUNT_LIFETIME))
      .compose(stored -> outbox.add(tx, composer.notice(user, kind, client, at, count, token)));
  }


  /** Whether a notice of {@code kind} goes to {@code user}'s address: a verified one gets every notice. */
  static boolean reaches(UserRow user, String kind) {
    return user.emailVerified() || ALWAYS_SENT.contains(kind);
  }

  /** Uses a verification link: the id of the user whose address it proved, or empty when it was not valid. */
  public Future<Optional<Long>> useVerification(SqlClient db, String token) {
    return verifications.use(db, SessionTokens.hash(token), clock.instant());
  }

  public void nudge() {
    outbox.nudge();
  }
}
