package dev.twofa.auth;

import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.account.PhraseSeal;
import dev.twofa.auth.account.PhraseService;
import dev.twofa.auth.account.SecurityHold;
import dev.twofa.auth.account.ActivityDownloads;
import dev.twofa.auth.credential.totp.TwoFactorCheckup;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.credential.SecondFactor;
import dev.twofa.auth.credential.passkey.PasskeyService;
import dev.twofa.auth.credential.password.PasswordStrength;
import dev.twofa.auth.credential.password.Passwords;
import dev.twofa.auth.credential.totp.KeyRingCheck;
import dev.twofa.auth.credential.totp.TwoFactorService;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.links.PasswordResetService;
import dev.twofa.auth.login.LoginService;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.notify.SignInNotices;
import dev.twofa.auth.oidc.OidcService;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.StepUpService;
import dev.twofa.auth.support.SupportDesk;
import dev.twofa.auth.support.SupportRequestService;
import dev.twofa.auth.requirement.RequirementStatus;
import dev.twofa.auth.requirement.TwoFactorRequirement;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.auth.trust.TrustedBrowserService;
import dev.twofa.bus.BusRequests;
import dev.twofa.config.KeyRing;
import dev.twofa.config.TwofaConfig;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

/**
 * The auth verticle's rooms, each built from its config and the doors of the rooms it calls. Nothing here
 * decides anything: it is the wiring, in the order the rooms depend on each other.
 */
record AuthRooms(KeyRingCheck keyRingCheck, Passwords passwords, Auditor auditor, Mailer mailer, SignInNotices signIns,
                 SessionService sessions, AccountService accounts, LoginService logins, StepUpService stepUp,
                 TwoFactorService twoFactor, PasswordResetService resets, SupportDesk support,
                 SupportRequestService requests, OidcService oidc, PasskeyService passkeys, PhraseService phrases,
                 TrustedBrowserService trustedBrowsers, TwoFactorRequirement requirement,
                 RequirementStatus requirementStatus,
                 ActivityDownloads activityDownloads, TwoFactorCheckup checkup) {

  static AuthRooms build(Vertx vertx, TwofaConfig config, Clock clock, Pool pool, BusRequests bus, Passwords passwords,
                         Mailer mailer) {
    KeyRing keys = config.keys().ring().orElseThrow(() -> new IllegalStateException("no secret keys"));
    Throttle throttle = new Throttle(pool, clock);
    UserRepository users = new UserRepository(new SecurityHold(config.securityHold(), clock));
    Auditor auditor = Auditor.create(bus, pool, vertx, config.keys().auditKey().orElseThrow());
    SignInNotices signIns = SignInNotices.create(pool, users, throttle, auditor, mailer, clock);
    TwoFactorRequirement requirement = new TwoFactorRequirement(pool, users, config.twoFactorRules(), mailer, clock);
    SessionService sessions = SessionService.create(pool, throttle, auditor, signIns, config.login(),
      config.sessionTimeout(), config.sessionMaxAge(), requirement::holds, clock);
    AccountService accounts = new AccountService(pool, users, throttle, sessions, passwords,
      new PasswordStrength(config.passwords()), auditor, config.login(), mailer, signIns, clock);
    SecondFactor secondFactor = SecondFactor.create(users, keys, config.totp(), clock);
    TrustedBrowserService trustedBrowsers = new TrustedBrowserService(pool, sessions, auditor,
      config.twoFactorRules().trustedBrowser(), clock);
    PasskeyService passkeys = PasskeyService.create(pool, users, sessions, keys, auditor, mailer, config.publicUrl(),
      config.productName(), config.login(), trustedBrowsers, clock);
    OidcService oidc = OidcService.create(vertx, pool, keys, config.keys().allowMissingKeys(), config.publicUrl().uri(),
      sessions, users, throttle, auditor, clock);
    LoginService logins = new LoginService(pool, users, throttle, sessions, passwords, secondFactor, auditor,
      config.login(), mailer, signIns, passkeys, trustedBrowsers, oidc, clock);
    StepUpService stepUp = new StepUpService(pool, throttle, sessions, accounts, secondFactor, passkeys, auditor,
      config.login(), clock, mailer);
    TwoFactorService twoFactor = TwoFactorService.create(pool, users, sessions, accounts, keys, config.totp(), auditor,
      mailer, clock);
    PasswordResetService resets = PasswordResetService.create(pool, users, throttle, accounts, sessions, secondFactor,
      auditor, mailer, config.secureAccountUndo(), passkeys, clock);
    SupportDesk support = SupportDesk.create(pool, users, throttle, secondFactor, sessions, auditor, config.login(),
      mailer, config.support(), passkeys, clock);
    SupportRequestService requests = SupportRequestService.create(pool, users, throttle, sessions, auditor, mailer,
      config.login(), config.support(), clock);
    KeyRingCheck keyRingCheck = new KeyRingCheck(keys, users, config.keys().allowMissingKeys());
    return new AuthRooms(keyRingCheck, passwords, auditor, mailer, signIns, sessions, accounts, logins, stepUp, twoFactor,
      resets, support, requests, oidc, passkeys,
      new PhraseService(pool, users, sessions, PhraseSeal.create(keys), auditor, mailer, clock),
      trustedBrowsers, requirement, new RequirementStatus(requirement, sessions),
      new ActivityDownloads(sessions, auditor, config.activity().retentionDays(), clock),
      new TwoFactorCheckup(pool, sessions, secondFactor, throttle, config.login(), clock));
  }
}
