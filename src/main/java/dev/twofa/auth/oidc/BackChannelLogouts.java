package dev.twofa.auth.oidc;

import dev.twofa.db.DeliveryRounds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.RequestOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.twofa.db.SqlTime.utc;

/**
 * Back-channel logout delivery (OpenID Connect Back-Channel Logout 1.0): the rows oidc_sessions_ended queued in the
 * transaction that ended a session are POSTed to each client's back-channel logout URI as
 * {@code logout_token=...}, by the rounds every outbox has ({@link DeliveryRounds}): a batch is locked while it is
 * sent, a delivered row is deleted, a failed one (no answer, or not 2xx) waits {@link #BACKOFF} and is given up a
 * day after the session ended, when the application's own session has long timed out.
 */
final class BackChannelLogouts {
  private static final Logger LOG = LoggerFactory.getLogger(BackChannelLogouts.class);
  private static final int BATCH = 10;
  static final DeliveryRounds.Backoff BACKOFF =
    new DeliveryRounds.Backoff(Duration.ofSeconds(10), Duration.ofMinutes(10), Duration.ofDays(1));
  /** A receiver gets this long to connect and to answer: its slowness holds the batch's lock. */
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  /** Given-up rows are kept this long for the operator's eyes (last_error), then purged. */
  static final Duration GIVEN_UP_KEPT = Duration.ofDays(7);
  private final Pool pool;
  private final HttpClient http;
  private final LogoutTokens tokens;
  private final Clock clock;
  private final DeliveryRounds rounds = new DeliveryRounds(BATCH, this::deliverBatch,
    error -> LOG.warn("event=oidc.backchannel_delayed error={}", error.toString()));

  BackChannelLogouts(Vertx vertx, Pool pool, LogoutTokens tokens, Clock clock) {
    this.pool = pool;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) TIMEOUT.toMillis())
      .setMaxRedirects(0));
    this.tokens = tokens;
    this.clock = clock;
  }

  void nudge() {
    rounds.nudge();
  }

  Future<Integer> deliverDue() {
    return rounds.deliverDue();
  }

  /** Deletes rows given up long enough ago (on the purge timer). */
  Future<Integer> purgeGivenUp() {
    return pool.preparedQuery("DELETE FROM oidc_logout_outbox WHERE given_up_at < $1")
      .execute(Tuple.of(utc(clock.instant().minus(GIVEN_UP_KEPT)))).map(rows -> rows.rowCount());
  }

  private Future<DeliveryRounds.Batch> deliverBatch() {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> tx.preparedQuery("""
          SELECT o.id, o.client_id, o.subject, o.session_handle, o.attempts, o.created_at, c.backchannel_logout_uri,
                 c.id_token_signed_response_alg
          FROM oidc_logout_outbox o JOIN oidc_clients c ON c.client_id = o.client_id
          WHERE o.given_up_at IS NULL AND o.next_attempt_at <= $1 ORDER BY o.id LIMIT $2
          FOR UPDATE OF o SKIP LOCKED
          """)
        .execute(Tuple.of(utc(now), BATCH))
        .compose(rows -> {
          // Side by side: one slow application must not hold up the others' logouts.
          List<Future<Boolean>> sent = new ArrayList<>();
          for (Row row : rows) {
            sent.add(deliver(tx, row, now));
          }
          return Future.all(sent).map(all -> new DeliveryRounds.Batch(rows.size(),
            (int) sent.stream().filter(Future::result).count()));
        }));
  }

  private Future<Boolean> deliver(SqlClient tx, Row row, Instant now) {
    long id = row.getLong("id");
    String clientId = row.getString("client_id");
    String body = "logout_token=" + URLEncoder.encode(tokens.sign(clientId,
      com.nimbusds.jose.JWSAlgorithm.parse(row.getString("id_token_signed_response_alg")), row.getString("subject"),
      row.getUUID("session_handle"), now), StandardCharsets.US_ASCII);
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(row.getString("backchannel_logout_uri"))
        .setIdleTimeout(TIMEOUT.toMillis()).putHeader("Content-Type", "application/x-www-form-urlencoded"))
      .compose(request -> request.send(body))
      .expecting(HttpResponseExpectation.SC_SUCCESS)
      .compose(response -> tx.preparedQuery("DELETE FROM oidc_logout_outbox WHERE id = $1").execute(Tuple.of(id)).map(true))
      .recover(error -> {
        int attempts = row.getInteger("attempts") + 1;
        String why = String.valueOf(error.getMessage()).replaceAll("[\\r\\n]", " ");
        if (BACKOFF.givesUp(row.getOffsetDateTime("created_at").toInstant(), now)) {
          LOG.error("event=oidc.backchannel_given_up id={} client={} attempts={} error={}", id, clientId, attempts, why);
          return tx.preparedQuery("UPDATE oidc_logout_outbox SET attempts = $2, given_up_at = $3, last_error = $4 WHERE id = $1")
            .execute(Tuple.of(id, attempts, utc(now), why)).map(false);
        }
        Duration wait = BACKOFF.after(attempts);
        LOG.warn("event=oidc.backchannel_retry id={} client={} attempts={} retry_in_s={} error={}", id, clientId, attempts,
          wait.toSeconds(), why);
        return tx.preparedQuery("UPDATE oidc_logout_outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1")
          .execute(Tuple.of(id, attempts, utc(now.plus(wait)), why)).map(false);
      });
  }

  Future<Void> close() {
    return http.close();
  }
}
