package dev.twofa;

import dev.twofa.audit.AuditVerticle;
import dev.twofa.auth.AuthVerticle;
import dev.twofa.config.Deployment;
import dev.twofa.config.Deployment.Role;
import dev.twofa.config.TwofaConfig;
import dev.twofa.http.HttpVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Deploys the verticles this node runs: audit, then auth, then HTTP, so nothing serves before it can answer.
 * {@link #drain()} undeploys in the reverse order, so in-flight requests finish before their consumers go.
 */
public class MainVerticle extends VerticleBase {
  private final TwofaConfig config;
  private final Clock clock;
  private final String schemaVersion;
  private final PrometheusMeterRegistry metrics;
  private final List<String> deployments = new ArrayList<>();

  /** {@code schemaVersion} is what the data-owning verticles report as ready; null on an HTTP-only node. */
  public MainVerticle(TwofaConfig config, Clock clock, String schemaVersion, PrometheusMeterRegistry metrics) {
    this.config = config;
    this.clock = clock;
    this.schemaVersion = schemaVersion;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Deployment plan = config.deployment();
    Future<Void> chain = Future.succeededFuture();
    if (plan.runs(Role.AUDIT)) {
      chain = chain.compose(v -> deploy(() -> new AuditVerticle(config, clock, schemaVersion), plan.auditInstances()));
    }
    if (plan.runs(Role.AUTH)) {
      chain = chain.compose(v -> deploy(() -> new AuthVerticle(config, clock, schemaVersion, metrics), plan.authInstances()));
    }
    if (plan.runs(Role.HTTP)) {
      chain = chain.compose(v -> deploy(() -> new HttpVerticle(config, metrics), plan.httpInstances()));
    }
    return chain;
  }

  /** Stops this node's verticles newest first: HTTP drains its in-flight requests before auth and audit stop. */
  public Future<Void> drain() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).recover(error -> Future.succeededFuture()));
    }
    return chain;
  }

  private Future<Void> deploy(java.util.function.Supplier<io.vertx.core.Deployable> verticle, int instances) {
    return vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances))
      .onSuccess(deployments::add)
      .mapEmpty();
  }
}
