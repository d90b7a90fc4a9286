package dev.twofa.auth.account;

import dev.twofa.auth.Door;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.session.SessionService;
import dev.twofa.bus.AuthReplies.PhraseView;
import dev.twofa.bus.AuthReplies.User;
import dev.twofa.bus.AuthRequests.PhraseChange;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The anti-phishing phrase every mail to the account shows above its text. Setting or reading it needs a step-up;
 * it is refused during the security hold. The first phrase shows at once; a change is mailed to the address (with
 * the old phrase, its own "This wasn't me" cancelling it) and takes effect only when a hold started now would end,
 * so a stranger inside the account cannot quietly swap the phrase the owner trusts.
 */
@Door
public final class PhraseService {
  private final Pool pool;
  private final UserRepository users;
  private final SessionService sessions;
  private final PhraseSeal seal;
  private final Auditor auditor;
  private final Mailer mailer;
  private final Clock clock;

  public PhraseService(Pool pool, UserRepository users, SessionService sessions, PhraseSeal seal, Auditor auditor,
                       Mailer mailer, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.sessions = sessions;
    this.seal = seal;
    this.auditor = auditor;
    this.mailer = mailer;
    this.clock = clock;
  }

  /** After a step-up, outside a hold: sets the phrase (at once) or changes it (from the end of a new hold). */
  public Future<User> set(PhraseChange request) {
    Optional<String> phrase = Phrases.clean(request.phrase());
    // A phrase that is not one is refused before "Confirm it's you" is asked for.
    return sessions.signedIn(request.sessionToken())
      .compose(signedIn -> phrase.isEmpty() ? BusFailure.fail(ErrorCode.INVALID_PHRASE) : sessions.requireStepUp(signedIn))
      .compose(session -> {
      long id = session.user().id();
      byte[] box = seal.seal(id, phrase.get());
      return pool.withTransaction(tx -> users.hold().refuseDuring(tx, id)
          // Read under the row lock refuseDuring took: what mails show now decides between set and change.
          .compose(free -> users.findById(tx, id).map(Optional::orElseThrow))
          .compose(user -> store(tx, user, box, request.client())))
        .onSuccess(changed -> {
          mailer.nudge();
          auditor.nudge();
        })
        .compose(changed -> users.findById(pool, id))
        .map(user -> user.orElseThrow().toUser(clock.instant()));
    });
  }

  private Future<Void> store(SqlClient tx, UserRow user, byte[] box, ClientInfo client) {
    Instant now = clock.instant();
    byte[] current = user.phraseBoxAt(now);
    if (current == null) {
      return users.storePhrase(tx, user.id(), box, null, null)
        .compose(stored -> users.findById(tx, user.id()).map(Optional::orElseThrow))
        .compose(updated -> mailer.notice(tx, updated, Mailer.PHRASE_SET, client, null))
        .compose(mailed -> auditor.recordWithin(tx, SecurityEvent.of(user.id(), SecurityEvent.PHRASE_SET, true, client)));
    }
    Instant takesEffect = users.hold().endOfNewHold();
    // The notice goes out under the phrase the owner knows: the new one is not shown in mail until its time.
    return users.storePhrase(tx, user.id(), current, box, takesEffect)
      .compose(stored -> mailer.phraseChanged(tx, user, client, takesEffect))
      .compose(mailed -> auditor.recordWithin(tx, SecurityEvent.of(user.id(), SecurityEvent.PHRASE_CHANGED, true, client)));
  }

  /** After a step-up: the phrase mails show now, and a changed one waiting for its time. */
  public Future<PhraseView> show(Session request) {
    return sessions.steppedUp(request.sessionToken()).map(session -> {
      UserRow user = session.user();
      Instant now = clock.instant();
      byte[] current = user.phraseBoxAt(now);
      boolean pending = user.phrasePending(now);
      return new PhraseView(current == null ? null : seal.open(user.id(), current),
        pending ? seal.open(user.id(), user.phrasePendingBox()) : null,
        pending ? DateTimeFormatter.ISO_INSTANT.format(user.phrasePendingAt().withOffsetSameInstant(ZoneOffset.UTC)) : null);
    });
  }
}
