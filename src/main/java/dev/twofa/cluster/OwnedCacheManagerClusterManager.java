package dev.twofa.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import org.infinispan.manager.DefaultCacheManager;

import java.util.function.Predicate;

/**
 * Vert.x's Infinispan cluster manager on a cache manager we built: given one, Vert.x leaves starting and
 * stopping it to us, so it starts on join and stops on leave (closing Vert.x then leaves the JGroups cluster).
 * The event bus asks it for a node's address before connecting to that node; for a node whose JGroups connection
 * dropped and has not come back ({@link SuspectingTcp#unreachable}: a killed process, until and after it leaves the
 * view) it answers "no handlers", which fails the messages waiting for that connection at once too, and
 * BusRequests sends them again. Otherwise a refused connection leaves each request to wait out its send timeout.
 */
final class OwnedCacheManagerClusterManager extends InfinispanClusterManager {
  private final DefaultCacheManager cacheManager;
  private final Predicate<String> unreachable;
  private Vertx vertx;

  OwnedCacheManagerClusterManager(DefaultCacheManager cacheManager, Predicate<String> unreachable) {
    super(cacheManager);
    this.cacheManager = cacheManager;
    this.unreachable = unreachable;
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
    super.getNodeInfo(nodeId, promise);
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
      .compose(started -> Future.<Void>future(OwnedCacheManagerClusterManager.super::join))
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
