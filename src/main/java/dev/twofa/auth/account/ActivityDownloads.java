package dev.twofa.auth.account;

import dev.twofa.auth.Door;
import dev.twofa.auth.events.ActivityFiles;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.session.SessionService;
import dev.twofa.bus.ActivityEvent;
import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.AuthReplies.ActivityFile;
import dev.twofa.bus.AuthRequests.ActivityDownload;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/** "Download my activity": the signed-in user's own events, read from audit page by page, as one bounded file. */
@Door
public final class ActivityDownloads {
  private static final int PAGE = 1000;
  private final SessionService sessions;
  private final Auditor auditor;
  private final int retentionDays;
  private final Clock clock;

  public ActivityDownloads(SessionService sessions, Auditor auditor, int retentionDays, Clock clock) {
    this.sessions = sessions;
    this.auditor = auditor;
    this.retentionDays = retentionDays;
    this.clock = clock;
  }

  public Future<ActivityFile> download(ActivityDownload request) {
    String format = "json".equals(request.format()) ? "json" : "csv";
    return sessions.signedIn(request.sessionToken()).compose(session -> {
      UserRow user = session.user();
      List<ActivityEvent> events = new ArrayList<>();
      return pages(user.id(), null, events).map(complete -> ActivityFiles.render(format, events, complete,
        user.language(), zone(user.timeZone()), retentionDays, clock.instant()));
    });
  }

  /** Reads pages until audit has no more or the file is full; true when every event is in. */
  private Future<Boolean> pages(long userId, Long before, List<ActivityEvent> into) {
    int limit = Math.min(PAGE, ActivityFiles.MAX_EVENTS - into.size());
    return auditor.activity(new ActivityQuery(userId, limit, before, false)).compose(page -> {
      into.addAll(page.events());
      if (page.next() == null) {
        return Future.succeededFuture(true);
      }
      return into.size() >= ActivityFiles.MAX_EVENTS ? Future.succeededFuture(false)
        : pages(userId, Long.valueOf(page.next()), into);
    });
  }

  /** The zone stored at sign-up (UTC for accounts from before, or a zone this JVM does not know). */
  private static ZoneId zone(String timeZone) {
    try {
      return timeZone == null ? ZoneOffset.UTC : ZoneId.of(timeZone);
    } catch (DateTimeException unknown) {
      return ZoneOffset.UTC;
    }
  }
}
