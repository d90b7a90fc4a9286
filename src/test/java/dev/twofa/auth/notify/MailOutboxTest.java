package dev.twofa.auth.notify;

import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import dev.twofa.bus.ClientInfo;
import dev.twofa.config.MailSettings.Smtp;
import dev.twofa.config.MailSettings.StartTls;
import dev.twofa.db.Database;
import dev.twofa.db.Migrations;
import dev.twofa.support.Eventually;
import dev.twofa.support.MutableClock;
import dev.twofa.support.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static dev.twofa.support.TestServer.await;
import static dev.twofa.support.TestServer.freePort;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mail outbox against PostgreSQL and a real SMTP server (GreenMail) in this JVM. */
class MailOutboxTest {
  private static final String FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
  private static Vertx vertx;
  private static Pool pool;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final MailComposer composer = new MailComposer("twofa", java.net.URI.create("http://localhost:8080"));
  private int smtpPort;
  private GreenMail smtp;
  private final List<MailTransport> transports = new ArrayList<>();

  @BeforeAll
  static void database() {
    String url = TestPostgres.freshDatabase();
    Migrations.migrate(url);
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, url, 8, "mail-outbox-test");
  }

  @AfterAll
  static void close() {
    await(vertx.close());
  }

  @BeforeEach
  void startSmtp() throws Exception {
    smtpPort = freePort();
    smtp = startGreenMail();
    await(pool.query("DELETE FROM mail_outbox").execute());
  }

  @AfterEach
  void stopSmtp() {
    transports.forEach(t -> await(t.close()));
    smtp.stop();
  }

  private GreenMail startGreenMail() {
    GreenMail server = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    server.start();
    return server;
  }

  private MailOutbox sender() {
    // GreenMail speaks plain SMTP: the URL's ?starttls=optional, as for a server on a trusted network.
    MailTransport transport = new SmtpTransport(vertx, new Smtp("127.0.0.1", smtpPort, false, StartTls.OPTIONAL, null, null),
      "twofa <no-reply@localhost>");
    transports.add(transport);
    return new MailOutbox(pool, transport, clock);
  }

  private UserRow user(String email, String language) {
    long id = await(pool.preparedQuery("""
        INSERT INTO users (email, password_hash, created_at, language) VALUES ($1, 'x', now(), $2)
        ON CONFLICT (email) DO UPDATE SET language = $2 RETURNING id
        """).execute(Tuple.of(email, language))).iterator().next().getLong("id");
    return await(new UserRepository().findById(pool, id)).orElseThrow();
  }

  private void addNotices(MailOutbox outbox, UserRow user, int count) {
    await(pool.withTransaction(tx -> {
      Future<Void> added = Future.succeededFuture();
      for (int i = 0; i < count; i++) {
        Mail mail = composer.notice(user, Mailer.RECOVERY_CODE_USED, new ClientInfo("203.0.113.7", FIREFOX),
          clock.instant(), i);
        added = added.compose(ok -> outbox.add(tx, mail));
      }
      return added;
    }));
  }

  private List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    await(pool.query("SELECT * FROM mail_outbox ORDER BY id").execute()).forEach(rows::add);
    return rows;
  }

  @Test
  void aMailIsSentOnceAndItsBodyIsClearedOnceAccepted() throws Exception {
    MailOutbox outbox = sender();
    addNotices(outbox, user("once@example.com", "en"), 1);

    assertEquals(1, await(outbox.deliverDue()));
    assertEquals(0, await(outbox.deliverDue()));

    MimeMessage[] received = smtp.getReceivedMessages();
    assertEquals(1, received.length);
    assertEquals("once@example.com", received[0].getAllRecipients()[0].toString());
    assertEquals("[twofa] A recovery code was used to log in", received[0].getSubject());
    String body = GreenMailUtil.getBody(received[0]);
    assertTrue(body.contains("203.0.113.7") && body.contains("Firefox on Linux"), body);
    Row row = rows().get(0);
    assertTrue(row.getOffsetDateTime("sent_at") != null);
    assertNull(row.getString("text_body"));
    assertNull(row.getString("html_body"));
  }

  @Test
  void aMailWaitsWhileTheSmtpServerIsDownAndGoesOnceItReturns() {
    MailOutbox outbox = sender();
    addNotices(outbox, user("down@example.com", "en"), 1);
    smtp.stop();

    assertEquals(0, await(outbox.deliverDue()));
    Row waiting = rows().get(0);
    assertNull(waiting.getOffsetDateTime("sent_at"));
    assertEquals(1, waiting.getInteger("attempts"));
    assertEquals("down@example.com", waiting.getString("recipient"));

    smtp = startGreenMail();
    // Not before its backoff has passed.
    assertEquals(0, await(outbox.deliverDue()));
    clock.advance(MailOutbox.FIRST_BACKOFF);
    assertEquals(1, await(outbox.deliverDue()));
    assertEquals(1, smtp.getReceivedMessages().length);
  }

  /** A commit's nudge that lands while a round is sending must not be lost until the next timer tick. */
  @Test
  void aNudgeDuringARoundStartsAnotherWhenItEnds() throws InterruptedException {
    Promise<Void> firstAccepted = Promise.promise();
    List<String> sent = new CopyOnWriteArrayList<>();
    MailTransport held = new MailTransport() {
      @Override
      public Future<Void> send(Mail mail) {
        sent.add(mail.subject());
        return sent.size() == 1 ? firstAccepted.future() : Future.succeededFuture();
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
    MailOutbox outbox = new MailOutbox(pool, held, clock);
    UserRow user = user("nudged@example.com", "en");
    addNotices(outbox, user, 1);
    outbox.nudge();
    Eventually.eventually(() -> sent.size() == 1, "the first round is sending its one mail");
    addNotices(outbox, user, 1);
    outbox.nudge();
    firstAccepted.complete();
    Eventually.eventually(() -> sent.size() == 2, "the mail committed during the round goes without another nudge");
  }

  @Test
  void anErrorIsLoggedOnOneLineWithoutTheRecipientsLocalPart() {
    assertEquals("550 5.1.1 <***@example.com>: Recipient address rejected  (***@b.example)",
      MailOutbox.loggable(new IllegalStateException("550 5.1.1 <bob.smith+x@example.com>: Recipient address rejected\r\n(a@b.example)")));
  }

  @Test
  void backoffDoublesUpToAnHour() {
    assertEquals(Duration.ofSeconds(30), MailOutbox.backoff(1));
    assertEquals(Duration.ofSeconds(60), MailOutbox.backoff(2));
    assertEquals(Duration.ofMinutes(32), MailOutbox.backoff(7));
    assertEquals(Duration.ofHours(1), MailOutbox.backoff(8));
    assertEquals(Duration.ofHours(1), MailOutbox.backoff(1000));
  }

  @Test
  void twoSendersOnOneOutboxSendEachMailExactlyOnce() {
    MailOutbox first = sender();
    MailOutbox second = sender();
    addNotices(first, user("twice@example.com", "en"), 25);

    List<Integer> sent = await(Future.all(first.deliverDue(), second.deliverDue(), first.deliverDue()))
      .list();
    assertEquals(25, sent.stream().mapToInt(Integer::intValue).sum());
    assertEquals(25, smtp.getReceivedMessages().length);
    assertTrue(rows().stream().allMatch(r -> r.getOffsetDateTime("sent_at") != null));
  }

  @Test
  void japaneseUsersGetJapaneseMailsAndEveryValueIsEscapedInHtml() {
    UserRow user = user("ja@example.com", "ja");
    Mail mail = composer.notice(user, Mailer.PASSWORD_CHANGED, new ClientInfo("198.51.100.1", "<script>x</script>"),
      clock.instant(), null);
    assertEquals("[twofa] パスワードが変更されました", mail.subject());
    assertFalse(mail.html().contains("script"), "a User-Agent's text never reaches a mail: " + mail.html());
    assertTrue(mail.text().contains("2026年3月1日 21:00（日本時間）"), "Japan time for a Japanese account: " + mail.text());
  }

  @Test
  void withoutAnSmtpServerMailsBecomeEmlFilesOnlyTheServerUserCanRead(@TempDir Path data) throws Exception {
    Path folder = data.resolve("mail");
    MailTransport eml = new EmlFolder(vertx, folder, "twofa <no-reply@localhost>");
    transports.add(eml);
    MailOutbox outbox = new MailOutbox(pool, eml, clock);
    addNotices(outbox, user("eml@example.com", "en"), 1);

    assertEquals(1, await(outbox.deliverDue()));

    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)));
    List<Path> files;
    try (Stream<Path> listing = Files.list(folder)) {
      files = listing.toList();
    }
    assertEquals(1, files.size());
    assertTrue(files.get(0).getFileName().toString().endsWith(".eml"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
    String content = Files.readString(files.get(0));
    assertTrue(content.contains("To: eml@example.com"), content);
    assertTrue(content.contains("Subject:"), content);
    assertEquals(0, smtp.getReceivedMessages().length);
  }

  @Test
  void sentRowsArePurged30DaysAfterSendingAndUnsentOnesNever() {
    MailOutbox outbox = sender();
    UserRow user = user("purge@example.com", "en");
    addNotices(outbox, user, 1);
    assertEquals(1, await(outbox.deliverDue()));
    clock.advance(Duration.ofDays(29));
    addNotices(outbox, user, 1);
    assertEquals(1, await(outbox.deliverDue()));
    addNotices(outbox, user, 1);
    smtp.stop();
    assertEquals(0, await(outbox.deliverDue()), "the third waits for the SMTP server");
    List<Long> ids = rows().stream().map(r -> r.getLong("id")).toList();

    clock.advance(Duration.ofDays(1));
    assertEquals(0, await(outbox.purgeSent()), "exactly 30 days after sending, the row is still kept");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, await(outbox.purgeSent()));
    assertEquals(ids.subList(1, 3), rows().stream().map(r -> r.getLong("id")).toList());

    clock.advance(Duration.ofDays(365));
    assertEquals(1, await(outbox.purgeSent()));
    Row waiting = rows().get(0);
    assertEquals(1, rows().size());
    assertEquals(ids.get(2), waiting.getLong("id"));
    assertNull(waiting.getOffsetDateTime("sent_at"), "a mail not yet sent is never purged, however old");
    assertTrue(waiting.getString("text_body") != null, "and keeps its body until it goes");
    smtp = startGreenMail();
  }

  /**
   * A mail no server takes (unreachable, or refusing the address) is tried for a bounded time, then given up:
   * logged, counted for operators, its bodies cleared, never tried again, and purged like a sent one.
   */
  @Test
  void aMailThatKeepsFailingIsGivenUpAfterTwoDaysAndPurgedLater() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    MailOutbox outbox = sender();
    outbox.countGivenUp(registry);
    addNotices(outbox, user("nowhere@example.com", "en"), 1);
    smtp.stop();
    Instant written = clock.instant();
    int rounds = 0;
    while (rows().get(0).getOffsetDateTime("given_up_at") == null) {
      assertTrue(++rounds <= 100, "given up within a bounded number of attempts");
      assertEquals(0, await(outbox.deliverDue()));
      clock.advance(MailOutbox.backoff(rows().get(0).getInteger("attempts")));
    }
    Row given = rows().get(0);
    int attempts = given.getInteger("attempts");
    assertTrue(attempts >= 10, "tried " + attempts + " times");
    assertTrue(!given.getOffsetDateTime("given_up_at").toInstant().isBefore(written.plus(MailOutbox.GIVE_UP_AFTER)));
    assertNull(given.getString("text_body"), "a given-up mail keeps no link");
    assertNull(given.getOffsetDateTime("sent_at"));
    assertEquals(1.0, registry.get("twofa.mail.given_up").counter().count());

    smtp = startGreenMail();
    clock.advance(Duration.ofHours(2));
    assertEquals(0, await(outbox.deliverDue()), "never tried again");
    assertEquals(attempts, rows().get(0).getInteger("attempts"));
    assertEquals(0, smtp.getReceivedMessages().length);

    assertEquals(0, await(outbox.purgeSent()));
    clock.advance(MailOutbox.SENT_KEPT);
    assertEquals(1, await(outbox.purgeSent()), "purged after the same 30 days as a sent mail");
    assertEquals(List.of(), rows());
  }
}
