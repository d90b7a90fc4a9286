package dev.twofa.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import org.infinispan.manager.DefaultCacheManager;

import java.util.List;
import java.util.function.Predicate;

/**
 * Vert.x's Infinispan cluster manager on a cache manager we built: given one, Vert.x leaves starting and
 * stopping it to us, so it starts on join and stops on leave (closing Vert.x then leaves the JGroups cluster).
 * The event bus asks it for a node's address before connecting to that node; for a node whose JGroups connection
 * dropped and has not come back ({@link SuspectingTcp#unreachable}: a killed process, until and after it leaves the
 * view) it answers "no handlers", which fails the messages waiting for that connection at once too, and
 * BusRequests sends them again. Otherwise a refused connection leaves each request to wait out its send timeout.
 * Everything it reads from the shared maps passes {@link MemberRegistrations}: a node's address only when signed by
 * that node, a consumer of an auth or audit address only on a member.
 */
final class OwnedCacheManagerClusterManager extends InfinispanClusterManager {
  private final DefaultCacheManager cacheManager;
  private final Predicate<String> unreachable;
  private final NodeIdentity identity;
  private final ClusterRole role;
  private final MemberRegistrations trusted;
  private Vertx vertx;

  OwnedCacheManagerClusterManager(DefaultCacheManager cacheManager, Predicate<String> unreachable, NodeIdentity identity,
                                  ClusterRole role) {
    super(cacheManager);
    this.cacheManager = cacheManager;
    this.unreachable = unreachable;
    this.identity = identity;
    this.role = role;
    this.trusted = new MemberRegistrations(identity, nodeId -> Future.future(read -> super.getNodeInfo(nodeId, read)));
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    NodeInfo signed = identity.signed(nodeInfo);
    trusted.self(signed, role);
    super.setNodeInfo(signed, promise);
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    Future.<List<RegistrationInfo>>future(read -> super.getRegistrations(address, read))
      .compose(all -> trusted.filter(address, all))
      .onComplete(promise);
  }

  /** The event bus's node selector hears of new consumers through this listener: filtered the same way. */
  @Override
  public synchronized void registrationListener(RegistrationListener listener) {
    super.registrationListener(new RegistrationListener() {
      @Override
      public void registrationsUpdated(RegistrationUpdateEvent event) {
        trusted.filter(event.address(), event.registrations()).onSuccess(kept ->
          listener.registrationsUpdated(kept == event.registrations() ? event : new RegistrationUpdateEvent(event.address(), kept)));
      }

      @Override
      public void registrationsLost() {
        listener.registrationsLost();
      }

      @Override
      public boolean wantsUpdatesFor(String address) {
        return listener.wantsUpdatesFor(address);
      }
    });
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    if (unreachable.test(nodeId)) {
      // On a later turn: the bus queues the message on the new connection right after asking, and only a message
      // already queued is failed with this answer (one written to an already failed connection is just lost).
      ReplyException refused = new ReplyException(ReplyFailure.NO_HANDLERS, "node " + nodeId + " is unreachable");
      vertx.runOnContext(later -> promise.fail(refused));
      return;
    }
    trusted.address(nodeId).onComplete(promise);
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    super.init(vertx);
  }

  @Override
  public void join(Completable<Void> promise) {
    vertx.<Void>executeBlocking(() -> {
      cacheManager.start();
      return null;
    }, false)
      .compose(started -> getNodeId().equals(identity.nodeId()) ? Future.<Void>succeededFuture()
        : Future.<Void>failedFuture(new IllegalStateException("the cluster named this node " + getNodeId()
          + ", not its identity " + identity.nodeId())))
      .compose(named -> Future.<Void>future(OwnedCacheManagerClusterManager.super::join))
      .recover(failure -> stopCacheManager().transform(stopped -> Future.<Void>failedFuture(failure)))
      .onComplete(promise);
  }

  @Override
  public void leave(Completable<Void> promise) {
    Future.<Void>future(super::leave)
      .eventually(this::stopCacheManager)
      .onComplete(promise);
  }

  private Future<Void> stopCacheManager() {
    return vertx.executeBlocking(() -> {
      cacheManager.stop();
      return null;
    }, false);
  }
}
