package dev.twofa;

import dev.twofa.audit.AuditVerticle;
import dev.twofa.auth.AuthVerticle;
import dev.twofa.config.TwofaConfig;
import dev.twofa.http.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.time.Clock;

/** Deploys audit, then auth, then HTTP (one instance per core by default), so nothing serves before it can answer. */
public class MainVerticle extends VerticleBase {
  private final TwofaConfig config;
  private final Clock clock;

  public MainVerticle(TwofaConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return vertx.deployVerticle(new AuditVerticle(config, clock))
      .compose(audit -> vertx.deployVerticle(new AuthVerticle(config, clock)))
      .compose(auth -> vertx.deployVerticle(() -> new HttpVerticle(config),
        new DeploymentOptions().setInstances(config.httpInstances())));
  }
}
