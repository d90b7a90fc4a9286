package dev.twofa.cluster;

import org.infinispan.configuration.cache.CacheMode;
import org.infinispan.configuration.global.GlobalConfigurationBuilder;
import org.infinispan.configuration.global.ShutdownHookBehavior;
import org.infinispan.configuration.parsing.ConfigurationBuilderHolder;
import org.infinispan.manager.DefaultCacheManager;
import org.infinispan.remoting.transport.jgroups.JGroupsTransport;
import org.jgroups.JChannel;

/**
 * The caches of vertx-infinispan 5.0.7's default-infinispan.xml, defined in code on our own JGroups channel;
 * only the transport differs from that file (which would load a JGroups stack from tcp.xml).
 */
final class InfinispanCaches {
  static final String DEFAULT_CACHE = "distributed-cache";

  private InfinispanCaches() {
  }

  /** A cache manager, not started: starting it connects the channel, i.e. joins the cluster. */
  static DefaultCacheManager cacheManager(String clusterName, String nodeName, JChannel channel) {
    GlobalConfigurationBuilder global = new GlobalConfigurationBuilder();
    global.classLoader(InfinispanCaches.class.getClassLoader());
    global.transport().clusterName(clusterName).nodeName(nodeName).transport(new JGroupsTransport(channel));
    global.defaultCacheName(DEFAULT_CACHE);
    // Closing Vert.x stops it, once; Infinispan's own JVM hook would stop it beside ours on SIGTERM, and Vert.x's
    // leave then fails on a stopped cache manager (IllegalLifecycleStateException) and waits.
    global.shutdown().hookBehavior(ShutdownHookBehavior.DONT_REGISTER);
    ConfigurationBuilderHolder holder = new ConfigurationBuilderHolder(InfinispanCaches.class.getClassLoader(), global);
    holder.newConfigurationBuilder(DEFAULT_CACHE).clustering().cacheMode(CacheMode.DIST_SYNC);
    // Event-bus subscriptions, HA and node information: every node needs all of it, so replicated.
    holder.newConfigurationBuilder("__vertx.subs").clustering().cacheMode(CacheMode.REPL_SYNC);
    holder.newConfigurationBuilder("__vertx.haInfo").clustering().cacheMode(CacheMode.REPL_SYNC);
    holder.newConfigurationBuilder("__vertx.nodeInfo").clustering().cacheMode(CacheMode.REPL_SYNC);
    // The template Vert.x creates its async maps from (the clustered session store is one).
    holder.newConfigurationBuilder("__vertx.distributed.cache.configuration").template(true)
      .clustering().cacheMode(CacheMode.DIST_SYNC);
    return new DefaultCacheManager(holder, false);
  }
}
