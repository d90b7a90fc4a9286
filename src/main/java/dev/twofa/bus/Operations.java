package dev.twofa.bus;

import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.AuditRequests.BatchReceipt;
import dev.twofa.bus.AuditRequests.EventBatch;
import dev.twofa.bus.AuthReplies.EnrollmentOutcome;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthReplies.NewRecoveryCodes;
import dev.twofa.bus.AuthReplies.SessionState;
import dev.twofa.bus.AuthReplies.Sessions;
import dev.twofa.bus.AuthReplies.AuthenticatorChanged;
import dev.twofa.bus.AuthReplies.UserResult;
import dev.twofa.bus.AuthReplies.SupportView;
import dev.twofa.bus.AuthReplies.TotpKey;
import dev.twofa.bus.AuthReplies.User;
import dev.twofa.bus.AuthRequests.Activity;
import dev.twofa.bus.AuthRequests.Code;
import dev.twofa.bus.AuthRequests.Credentials;
import dev.twofa.bus.AuthRequests.PasswordChange;
import dev.twofa.bus.AuthRequests.PasswordReset;
import dev.twofa.bus.AuthRequests.PasswordResetRequest;
import dev.twofa.bus.AuthRequests.StepUp;
import dev.twofa.bus.AuthRequests.RevokeSession;
import dev.twofa.bus.AuthRequests.LinkToken;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.AuthRequests.Signup;
import dev.twofa.bus.AuthRequests.SupportDisable;
import dev.twofa.bus.AuthRequests.SupportLookup;
import dev.twofa.bus.AuthRequests.SupportDecline;
import dev.twofa.bus.AuthRequests.SupportRequest;
import dev.twofa.bus.AuthRequests.SupportRequestList;
import dev.twofa.bus.AuthReplies.SupportRequestReceived;
import dev.twofa.bus.AuthReplies.SupportRequests;
import dev.twofa.bus.AuthReplies.PasskeyAdded;
import dev.twofa.bus.AuthReplies.PasskeyOptions;
import dev.twofa.bus.AuthReplies.Passkeys;
import dev.twofa.bus.AuthRequests.PasskeyAssertion;
import dev.twofa.bus.AuthRequests.PasskeyRegistration;
import dev.twofa.bus.AuthRequests.PasskeyRemove;
import dev.twofa.bus.AuthRequests.PasskeyRename;

/** The whole bus contract: one operation per HTTP operation, plus audit's own and the health checks. */
public final class Operations {
  public static final Operation<Session, SessionState> SESSION = auth("session", Session.class, SessionState.class);
  public static final Operation<Session, AuthReplies.Checkup> CHECKUP = auth("checkup", Session.class, AuthReplies.Checkup.class);
  public static final Operation<Code, Void> CHECKUP_CONFIRM = auth("checkup.confirm", Code.class, Void.class);
  public static final Operation<Session, Void> CHECKUP_DISMISS = auth("checkup.dismiss", Session.class, Void.class);
  public static final Operation<Signup, LoginOutcome> SIGNUP = auth("signup", Signup.class, LoginOutcome.class);
  public static final Operation<Credentials, LoginOutcome> LOGIN_PASSWORD = auth("login.password", Credentials.class, LoginOutcome.class);
  public static final Operation<Code, LoginOutcome> LOGIN_TOTP = auth("login.totp", Code.class, LoginOutcome.class);
  public static final Operation<Code, LoginOutcome> LOGIN_RECOVERY = auth("login.recovery", Code.class, LoginOutcome.class);
  public static final Operation<Session, SessionState> LOGIN_SUPPORT_FORM =
    auth("login.support-form", Session.class, SessionState.class);
  public static final Operation<Session, Void> LOGOUT = auth("logout", Session.class, Void.class);
  public static final Operation<Session, User> ACCOUNT = auth("account", Session.class, User.class);
  public static final Operation<PasswordChange, LoginOutcome> PASSWORD_CHANGE = auth("password.change", PasswordChange.class, LoginOutcome.class);
  public static final Operation<LinkToken, Void> EMAIL_VERIFY = auth("email.verify", LinkToken.class, Void.class);
  public static final Operation<Session, Void> EMAIL_VERIFICATION_SEND = auth("email.verification", Session.class, Void.class);
  public static final Operation<Activity, ActivityPage> ACTIVITY = auth("activity", Activity.class, ActivityPage.class);
  public static final Operation<AuthRequests.ActivityDownload, AuthReplies.ActivityFile> ACTIVITY_DOWNLOAD =
    auth("activity.download", AuthRequests.ActivityDownload.class, AuthReplies.ActivityFile.class);
  public static final Operation<Session, Sessions> SESSIONS = auth("sessions", Session.class, Sessions.class);
  public static final Operation<RevokeSession, Void> SESSION_REVOKE = auth("sessions.revoke", RevokeSession.class, Void.class);
  public static final Operation<Session, Void> SESSIONS_REVOKE_OTHERS = auth("sessions.revoke-others", Session.class, Void.class);
  public static final Operation<Session, TotpKey> TOTP_SETUP = auth("totp.setup", Session.class, TotpKey.class);
  public static final Operation<Code, EnrollmentOutcome> TOTP_ENABLE = auth("totp.enable", Code.class, EnrollmentOutcome.class);
  public static final Operation<Session, NewRecoveryCodes> RECOVERY_CODES_REGENERATE =
    auth("recovery-codes.regenerate", Session.class, NewRecoveryCodes.class);
  public static final Operation<Session, TotpKey> TOTP_CHANGE_START = auth("totp.change.start", Session.class, TotpKey.class);
  public static final Operation<Code, AuthenticatorChanged> TOTP_CHANGE_CONFIRM =
    auth("totp.change.confirm", Code.class, AuthenticatorChanged.class);
  public static final Operation<StepUp, Void> STEP_UP = auth("step-up", StepUp.class, Void.class);
  public static final Operation<SupportLookup, SupportView> SUPPORT_LOOKUP = auth("support.lookup", SupportLookup.class, SupportView.class);
  public static final Operation<SupportDisable, UserResult> SUPPORT_DISABLE_TOTP =
    auth("support.disable-2fa", SupportDisable.class, UserResult.class);
  public static final Operation<dev.twofa.bus.AuthRequests.SupportPasskeyRemove, UserResult> SUPPORT_REMOVE_PASSKEY =
    auth("support.remove-passkey", dev.twofa.bus.AuthRequests.SupportPasskeyRemove.class, UserResult.class);
  public static final Operation<PasswordResetRequest, Void> PASSWORD_RESET_REQUEST =
    auth("password-reset.request", PasswordResetRequest.class, Void.class);
  public static final Operation<PasswordReset, Void> PASSWORD_RESET_COMPLETE =
    auth("password-reset.complete", PasswordReset.class, Void.class);
  public static final Operation<LinkToken, Void> SECURE_ACCOUNT = auth("secure-account", LinkToken.class, Void.class);
  public static final Operation<SupportRequest, SupportRequestReceived> SUPPORT_REQUEST_CREATE =
    auth("support.request", SupportRequest.class, SupportRequestReceived.class);
  public static final Operation<LinkToken, Void> SUPPORT_REQUEST_CANCEL = auth("support.request.cancel", LinkToken.class, Void.class);
  public static final Operation<SupportRequestList, SupportRequests> SUPPORT_REQUESTS =
    auth("support.requests", SupportRequestList.class, SupportRequests.class);
  public static final Operation<SupportDecline, Void> SUPPORT_REQUEST_DECLINE =
    auth("support.request.decline", SupportDecline.class, Void.class);
  /** The OpenID Connect provider (auth/oidc): discovery, JWKS, authorization, token and userinfo endpoints. */
  public static final Operation<Void, OidcMessages.ProtocolAnswer> OIDC_DISCOVERY =
    auth("oidc.discovery", Void.class, OidcMessages.ProtocolAnswer.class);
  public static final Operation<Void, OidcMessages.ProtocolAnswer> OIDC_JWKS = auth("oidc.jwks", Void.class, OidcMessages.ProtocolAnswer.class);
  public static final Operation<OidcMessages.Authorize, OidcMessages.AuthorizeOutcome> OIDC_AUTHORIZE =
    auth("oidc.authorize", OidcMessages.Authorize.class, OidcMessages.AuthorizeOutcome.class);
  public static final Operation<OidcMessages.Resume, OidcMessages.AuthorizeOutcome> OIDC_RESUME =
    auth("oidc.resume", OidcMessages.Resume.class, OidcMessages.AuthorizeOutcome.class);
  public static final Operation<OidcMessages.AuthorizationLookup, OidcMessages.AuthorizationView> OIDC_AUTHORIZATION =
    auth("oidc.authorization", OidcMessages.AuthorizationLookup.class, OidcMessages.AuthorizationView.class);
  public static final Operation<OidcMessages.Consent, OidcMessages.AuthorizeOutcome> OIDC_CONSENT =
    auth("oidc.consent", OidcMessages.Consent.class, OidcMessages.AuthorizeOutcome.class);
  public static final Operation<OidcMessages.ProtocolRequest, OidcMessages.ProtocolAnswer> OIDC_TOKEN =
    auth("oidc.token", OidcMessages.ProtocolRequest.class, OidcMessages.ProtocolAnswer.class);
  public static final Operation<OidcMessages.ProtocolRequest, OidcMessages.ProtocolAnswer> OIDC_REVOKE =
    auth("oidc.revoke", OidcMessages.ProtocolRequest.class, OidcMessages.ProtocolAnswer.class);
  public static final Operation<OidcMessages.ProtocolRequest, OidcMessages.ProtocolAnswer> OIDC_INTROSPECT =
    auth("oidc.introspect", OidcMessages.ProtocolRequest.class, OidcMessages.ProtocolAnswer.class);
  public static final Operation<OidcMessages.ProtocolRequest, OidcMessages.ProtocolAnswer> OIDC_USERINFO =
    auth("oidc.userinfo", OidcMessages.ProtocolRequest.class, OidcMessages.ProtocolAnswer.class);
  public static final Operation<Session, OidcMessages.Apps> OIDC_APPS = auth("oidc.apps", Session.class, OidcMessages.Apps.class);
  public static final Operation<OidcMessages.AppRemove, OidcMessages.Apps> OIDC_APP_REMOVE =
    auth("oidc.app.remove", OidcMessages.AppRemove.class, OidcMessages.Apps.class);
  /** The anti-phishing phrase: set or change it, and read it (both after a step-up). */
  public static final Operation<AuthRequests.PhraseChange, User> PHRASE_SET =
    auth("account.phrase.set", AuthRequests.PhraseChange.class, User.class);
  public static final Operation<Session, AuthReplies.PhraseView> PHRASE_SHOW =
    auth("account.phrase", Session.class, AuthReplies.PhraseView.class);
  /** RP-initiated logout: the end-session endpoint and the answer to its "Log out?" screen. */
  public static final Operation<OidcMessages.EndSession, OidcMessages.EndSessionOutcome> OIDC_END_SESSION =
    auth("oidc.end-session", OidcMessages.EndSession.class, OidcMessages.EndSessionOutcome.class);
  public static final Operation<OidcMessages.EndSessionConfirm, OidcMessages.EndSessionOutcome> OIDC_END_SESSION_CONFIRM =
    auth("oidc.end-session.confirm", OidcMessages.EndSessionConfirm.class, OidcMessages.EndSessionOutcome.class);
  public static final Operation<Session, PasskeyOptions> PASSKEY_REGISTER_OPTIONS =
    auth("passkey.register.options", Session.class, PasskeyOptions.class);
  public static final Operation<PasskeyRegistration, PasskeyAdded> PASSKEY_REGISTER =
    auth("passkey.register", PasskeyRegistration.class, PasskeyAdded.class);
  public static final Operation<Session, Passkeys> PASSKEYS = auth("passkeys", Session.class, Passkeys.class);
  public static final Operation<PasskeyRename, Passkeys> PASSKEY_RENAME = auth("passkey.rename", PasskeyRename.class, Passkeys.class);
  public static final Operation<PasskeyRemove, Passkeys> PASSKEY_REMOVE = auth("passkey.remove", PasskeyRemove.class, Passkeys.class);
  public static final Operation<Session, PasskeyOptions> LOGIN_PASSKEY_OPTIONS =
    auth("login.passkey.options", Session.class, PasskeyOptions.class);
  public static final Operation<PasskeyAssertion, LoginOutcome> LOGIN_PASSKEY =
    auth("login.passkey", PasskeyAssertion.class, LoginOutcome.class);
  /** Sign-in with a passkey alone: options for this browser (no account named), then the assertion. */
  public static final Operation<Session, PasskeyOptions> LOGIN_PASSKEY_SIGN_IN_OPTIONS =
    auth("login.passkey-sign-in.options", Session.class, PasskeyOptions.class);
  public static final Operation<PasskeyAssertion, LoginOutcome> LOGIN_PASSKEY_SIGN_IN =
    auth("login.passkey-sign-in", PasskeyAssertion.class, LoginOutcome.class);
  public static final Operation<Session, PasskeyOptions> STEP_UP_PASSKEY_OPTIONS =
    auth("step-up.passkey.options", Session.class, PasskeyOptions.class);
  /** Trusted browsers (auth/trust): the account's list, one removed, all removed. */
  public static final Operation<Session, AuthReplies.TrustedBrowsers> TRUSTED_BROWSERS =
    auth("trusted-browsers", Session.class, AuthReplies.TrustedBrowsers.class);
  public static final Operation<AuthRequests.TrustedBrowserRemove, AuthReplies.TrustedBrowsers> TRUSTED_BROWSER_REMOVE =
    auth("trusted-browsers.remove", AuthRequests.TrustedBrowserRemove.class, AuthReplies.TrustedBrowsers.class);
  public static final Operation<Session, AuthReplies.TrustedBrowsers> TRUSTED_BROWSERS_REMOVE_ALL =
    auth("trusted-browsers.remove-all", Session.class, AuthReplies.TrustedBrowsers.class);
  /** TWOFA_REQUIRE_2FA for the session's account (auth/requirement). */
  public static final Operation<Session, AuthReplies.TwoFactorRequired> TWO_FACTOR_REQUIREMENT =
    auth("two-factor-requirement", Session.class, AuthReplies.TwoFactorRequired.class);
  /** Answers when auth reaches its database at the expected schema version. */
  public static final Operation<Void, Void> AUTH_HEALTH = auth("health", Void.class, Void.class);

  public static final Operation<SecurityEvent, Void> AUDIT_RECORD = audit("record", SecurityEvent.class, Void.class);
  /** What auth's event outbox relays: many events, one commit on audit's side. */
  public static final Operation<EventBatch, BatchReceipt> AUDIT_RECORD_BATCH =
    audit("record.batch", EventBatch.class, BatchReceipt.class);
  public static final Operation<ActivityQuery, ActivityPage> AUDIT_ACTIVITY = audit("activity", ActivityQuery.class, ActivityPage.class);
  public static final Operation<Void, Void> AUDIT_HEALTH = audit("health", Void.class, Void.class);

  private Operations() {
  }

  private static <Q, R> Operation<Q, R> auth(String name, Class<Q> request, Class<R> reply) {
    return new Operation<>("twofa.auth." + name, request, reply);
  }

  private static <Q, R> Operation<Q, R> audit(String name, Class<Q> request, Class<R> reply) {
    return new Operation<>("twofa.audit." + name, request, reply);
  }
}
