package dev.twofa.cluster;

import io.vertx.core.Completable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.cluster.infinispan.InfinispanClusterManager;
import org.infinispan.manager.DefaultCacheManager;

/**
 * Vert.x's Infinispan cluster manager on a cache manager we built: given one, Vert.x leaves starting and
 * stopping it to us, so it starts on join and stops on leave (closing Vert.x then leaves the JGroups cluster).
 */
final class OwnedCacheManagerClusterManager extends InfinispanClusterManager {
  private final DefaultCacheManager cacheManager;
  private Vertx vertx;

  OwnedCacheManagerClusterManager(DefaultCacheManager cacheManager) {
    super(cacheManager);
    this.cacheManager = cacheManager;
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
