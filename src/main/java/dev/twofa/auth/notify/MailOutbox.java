package dev.twofa.auth.notify;

import dev.twofa.db.DeliveryRounds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import dev.twofa.auth.account.PhraseSeal;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static dev.twofa.db.SqlTime.utc;

/**
 * Mails written in the same transaction as the change that causes them, then delivered by {@link #deliverDue()}
 * (on a timer, and nudged after each commit), so a request never waits for the SMTP server and a mail is never
 * lost when it is down. A row is locked while it is sent ({@code FOR UPDATE SKIP LOCKED}: concurrent senders on
 * any node skip it) and marked sent in that same transaction once the server accepted it; a failure pushes its
 * next attempt back, doubling each time up to {@link #MAX_BACKOFF}, and a mail still failing
 * {@link #GIVE_UP_AFTER} after it was written is given up (about 55 attempts; an address no server takes
 * must not be tried forever), then purged with the sent ones.
 */
final class MailOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(MailOutbox.class);
  /** Rows locked per transaction: small, since the transaction stays open while they are sent. */
  private static final int BATCH = 10;
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(30);
  static final Duration MAX_BACKOFF = Duration.ofHours(1);
  /**
   * How long a sent row's envelope (recipient, kind, times, attempts) is kept: long enough to answer "did you send
   * me that mail?" when a user asks the support desk in the following weeks, after which it would only be an
   * address kept for no purpose. Nothing else reads sent rows (notice budgets live in their own tables).
   */
  static final Duration SENT_KEPT = Duration.ofDays(30);
  /**
   * Long enough to outlast an SMTP server's outage over a weekend's morning (the outbox exists for that), short
   * enough that a mail that cannot go stops costing a try an hour.
   */
  static final Duration GIVE_UP_AFTER = Duration.ofDays(2);
  private static final DeliveryRounds.Backoff BACKOFF = new DeliveryRounds.Backoff(FIRST_BACKOFF, MAX_BACKOFF, GIVE_UP_AFTER);
  private final Pool pool;
  private final MailTransport transport;
  private final Clock clock;
  /** Opens a mail's sealed phrase as it goes out; null where no key ring is at hand (the phrase then shows as "?"). */
  private final PhraseSeal phrases;
  private final DeliveryRounds rounds = new DeliveryRounds(BATCH, this::deliverBatch,
    error -> LOG.warn("event=mail.outbox_delayed error={}", error.toString()));
  private Counter givenUp;

  public MailOutbox(Pool pool, MailTransport transport, Clock clock) {
    this(pool, transport, clock, null);
  }

  MailOutbox(Pool pool, MailTransport transport, Clock clock, PhraseSeal phrases) {
    this.pool = pool;
    this.transport = transport;
    this.clock = clock;
    this.phrases = phrases;
  }

  /** Counts given-up mails as {@code twofa.mail.given_up} (Prometheus: twofa_mail_given_up_total) in {@code registry}. */
  void countGivenUp(MeterRegistry registry) {
    givenUp = Counter.builder("twofa.mail.given_up")
      .description("Mails given up after failing for " + GIVE_UP_AFTER.toDays() + " days (this node)").register(registry);
  }

  /** Adds {@code mail} inside the caller's transaction: it exists exactly when the change does. */
  Future<Void> add(SqlClient tx, Mail mail) {
    Instant now = clock.instant();
    return tx.preparedQuery("""
        INSERT INTO mail_outbox (user_id, kind, recipient, subject, text_body, html_body, created_at, next_attempt_at,
                                 phrase_box)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
        """)
      .execute(Tuple.of(mail.userId(), mail.kind(), mail.recipient(), mail.subject(), mail.text(), mail.html(), utc(now),
        mail.phraseBox() == null ? null : Buffer.buffer(mail.phraseBox())))
      .mapEmpty();
  }

  /**
   * Deletes rows sent or given up more than {@link #SENT_KEPT} ago (on auth's purge timer); a mail still being
   * tried always stays.
   */
  public Future<Integer> purgeSent() {
    return pool.preparedQuery("DELETE FROM mail_outbox WHERE sent_at < $1 OR given_up_at < $1")
      .execute(Tuple.of(utc(clock.instant().minus(SENT_KEPT)))).map(rows -> rows.rowCount());
  }

  /**
   * Starts a delivery round unless one is running here already, in which case that round goes round once more
   * when it ends (its SELECT may have run before this nudge's mail was committed); never fails (a failure is logged).
   */
  public void nudge() {
    rounds.nudge();
  }

  /** Sends every due mail, a batch per transaction, until none is left; returns how many were accepted. */
  Future<Integer> deliverDue() {
    return rounds.deliverDue();
  }

  private Future<DeliveryRounds.Batch> deliverBatch() {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> tx.preparedQuery("""
          SELECT id, user_id, kind, recipient, subject, text_body, html_body, attempts, created_at, phrase_box FROM mail_outbox
          WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1 ORDER BY id LIMIT $2
          FOR UPDATE SKIP LOCKED
          """)
        .execute(Tuple.of(utc(now), BATCH))
        .compose(rows -> {
          Future<Integer> sent = Future.succeededFuture(0);
          // One at a time: the SMTP server sees a single connection per sender, and the order is kept.
          for (Row row : rows) {
            sent = sent.compose(count -> deliver(tx, row, now).map(ok -> ok ? count + 1 : count));
          }
          return sent.map(count -> new DeliveryRounds.Batch(rows.size(), count));
        }));
  }

  private Future<Boolean> deliver(SqlClient tx, Row row, Instant now) {
    long id = row.getLong("id");
    Mail mail = new Mail(row.getLong("user_id"), row.getString("kind"), row.getString("recipient"),
      row.getString("subject"), row.getString("text_body"), row.getString("html_body"));
    Buffer phraseBox = row.getBuffer("phrase_box");
    return transport.send(phraseBox == null ? mail : mail.withPhrase(phrase(mail, phraseBox.getBytes())))
      .compose(accepted -> tx.preparedQuery("""
          UPDATE mail_outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL,
                                 text_body = NULL, html_body = NULL, phrase_box = NULL
          WHERE id = $1
          """).execute(Tuple.of(id, utc(clock.instant()))).map(true))
      .recover(error -> {
        int attempts = row.getInteger("attempts") + 1;
        String why = loggable(error);
        if (BACKOFF.givesUp(row.getOffsetDateTime("created_at").toInstant(), now)) {
          return giveUp(tx, id, mail, attempts, why, now);
        }
        Duration wait = backoff(attempts);
        LOG.warn("event=mail.retry id={} kind={} attempts={} retry_in_s={} error={}", id, mail.kind(), attempts,
          wait.toSeconds(), why);
        return tx.preparedQuery("UPDATE mail_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1")
          .execute(Tuple.of(id, attempts, utc(now.plus(wait)), String.valueOf(error.getMessage())))
          .map(false);
      });
  }

  /**
   * Stops trying {@code mail}: its bodies (which may hold a single-use link) are cleared, its envelope kept for the
   * support desk's "did you send me that mail?" until the purge. The log names the recipient's domain only: enough
   * to see that one provider refuses us, without an address in the logs.
   */
  private Future<Boolean> giveUp(SqlClient tx, long id, Mail mail, int attempts, String why, Instant now) {
    String recipient = mail.recipient();
    LOG.error("event=mail.given_up id={} kind={} user={} domain={} attempts={} error={}", id, mail.kind(), mail.userId(),
      recipient.substring(recipient.lastIndexOf('@') + 1), attempts, why);
    if (givenUp != null) {
      givenUp.increment();
    }
    return tx.preparedQuery("""
        UPDATE mail_outbox SET attempts = $2, given_up_at = $3, last_error = $4, text_body = NULL, html_body = NULL,
                               phrase_box = NULL
        WHERE id = $1
        """)
      .execute(Tuple.of(id, attempts, utc(now), why))
      .map(false);
  }

  /**
   * The recipient's phrase, opened from the mail's copy of its box (bound to the row's user id, so it opens for no
   * one else). A box no key of the ring opens gives "?": a mail that lacks the phrase the owner knows, which tells
   * them to distrust it, rather than a mail held back. Logged without the phrase.
   */
  private String phrase(Mail mail, byte[] box) {
    try {
      return phrases == null ? "?" : phrases.open(mail.userId(), box);
    } catch (IllegalArgumentException e) {
      LOG.error("event=mail.phrase_unreadable user={} kind={}", mail.userId(), mail.kind());
      return "?";
    }
  }

  /**
   * An error as a log line may hold it: one line, and since an SMTP reply may quote the recipient
   * ("550 <bob@example.com>: no such user"), addresses shown by their domain only.
   */
  static String loggable(Throwable error) {
    return String.valueOf(error.getMessage()).replaceAll("[\\r\\n]", " ").replaceAll("[^\\s<>\"'(),;:@]+@", "***@");
  }

  /** 30 s after the first failure, doubling, at most an hour, until {@link #GIVE_UP_AFTER}. */
  static Duration backoff(int attempts) {
    return BACKOFF.after(attempts);
  }
}
