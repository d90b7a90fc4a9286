package dev.twofa.cluster;

import org.jgroups.logging.Log;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections the cluster port refuses (no TLS, no certificate from the cluster CA), logged at most once a minute
 * per peer address with the number refused since the last line. JGroups logs one WARN per refused connection, so
 * a scanner, or a node started with another key, would flood the log; a refusal changes nothing, so one line a
 * minute tells an operator all there is.
 */
final class RefusedConnections {
  private static final Logger LOG = LoggerFactory.getLogger(RefusedConnections.class);
  static final Duration EVERY = Duration.ofMinutes(1);
  /** Peers remembered at most; past it, those not heard from for a minute are forgotten (a scan of many addresses). */
  private static final int MAX_PEERS = 4096;
  /** JGroups' message id for "failed accepting connection from peer". */
  private static final String ACCEPT_ERROR = "JGRP000006";

  private final Clock clock;
  private final int port;
  private final Map<InetAddress, Window> peers = new ConcurrentHashMap<>();

  private record Window(Instant logged, int suppressed) {
  }

  RefusedConnections(Clock clock, int port) {
    this.clock = clock;
    this.port = port;
  }

  /** JGroups' log for the accept loop: refusals go through {@link #refused}, everything else as before. */
  Log wrap(Log jgroups) {
    return (Log) Proxy.newProxyInstance(Log.class.getClassLoader(), new Class<?>[] {Log.class}, (proxy, method, args) -> {
      if (method.getName().equals("warn") && args != null && args.length == 2 && args[0] instanceof String format
        && format.startsWith(ACCEPT_ERROR) && args[1] instanceof Object[] values && values.length == 3
        && values[1] instanceof Socket socket) {
        refused(socket.getInetAddress(), values[2]);
        return null;
      }
      try {
        return method.invoke(jgroups, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    });
  }

  /** Logs this refusal if {@code peer} had none logged in the last minute; else counts it. True if it logged. */
  boolean refused(InetAddress peer, Object error) {
    Instant now = clock.instant();
    if (peers.size() >= MAX_PEERS) {
      peers.values().removeIf(window -> !window.logged().plus(EVERY).isAfter(now));
    }
    // Set inside compute, which runs once per call under the entry's lock: this refusal and those counted since.
    int[] toLog = {0};
    peers.compute(peer, (address, last) -> {
      if (last == null || !last.logged().plus(EVERY).isAfter(now)) {
        toLog[0] = 1 + (last == null ? 0 : last.suppressed());
        return new Window(now, 0);
      }
      return new Window(last.logged(), last.suppressed() + 1);
    });
    if (toLog[0] == 0) {
      return false;
    }
    LOG.warn("event=cluster.connection_refused peer={} port={} refused={} error=\"{}\" message=\"no TLS 1.3 with a"
        + " certificate from the cluster CA; refusals from this address are logged at most once a minute\"",
      peer.getHostAddress(), port, toLog[0], String.valueOf(error).replace('"', '\''));
    return true;
  }
}
