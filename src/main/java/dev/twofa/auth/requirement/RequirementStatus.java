package dev.twofa.auth.requirement;

import dev.twofa.auth.Door;
import dev.twofa.auth.session.SessionService;
import dev.twofa.bus.AuthReplies.TwoFactorRequired;
import dev.twofa.bus.AuthRequests.Session;
import io.vertx.core.Future;

/** What Account shows of the rule: "Turn on 2FA within N days", or nothing (a held session may ask too). */
@Door
public final class RequirementStatus {
  private final TwoFactorRequirement requirement;
  private final SessionService sessions;

  public RequirementStatus(TwoFactorRequirement requirement, SessionService sessions) {
    this.requirement = requirement;
    this.sessions = sessions;
  }

  public Future<TwoFactorRequired> status(Session request) {
    return sessions.signedInEvenIfHeld(request.sessionToken()).compose(session -> requirement.due(session.user()))
      .map(due -> due.map(d -> new TwoFactorRequired(true, d.dueAt().toString(), d.daysLeft(), d.held()))
        .orElse(TwoFactorRequired.NOT_REQUIRED));
  }
}
