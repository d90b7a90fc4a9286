package dev.twofa.cluster;

import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.PhysicalAddress;
import org.jgroups.View;
import org.jgroups.blocks.cs.Connection;
import org.jgroups.blocks.cs.ConnectionListener;
import org.jgroups.protocols.TCP;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * JGroups' TCP transport that suspects a member as soon as its connection drops. A killed process's sockets are
 * reset by its kernel at once, so this finds a dead node in milliseconds instead of after FD_ALL3's heartbeat
 * timeout (which stays, for a machine or link that goes silent). The suspicion goes up to VERIFY_SUSPECT2, which
 * asks the member and drops it only if it does not answer: a connection closed for another reason costs nothing.
 * It works over the TLS connections JGroups already has, where FD_SOCK2 would open a second, plaintext listener.
 * Until the member connects again, {@link #unreachable} names it, so the event bus does not
 * wait out a send timeout on a connection to it that cannot succeed.
 */
final class SuspectingTcp extends TCP implements ConnectionListener {
  private static final Logger LOG = LoggerFactory.getLogger(SuspectingTcp.class);

  /** Set while this node leaves: its own connections then close on purpose, and the stack above is stopping. */
  private volatile boolean leaving;
  /** Members (by logical name, which is the Vert.x node id) whose connection dropped and has not come back. */
  private final Set<String> lost = ConcurrentHashMap.newKeySet();

  @Override
  public void start() throws Exception {
    super.start();
    srv.addConnectionListener(this);
    srv.log(new RefusedConnections(Clock.systemUTC(), getBindPort()).wrap(srv.log()));
  }

  @Override
  protected void handleConnect() throws Exception {
    leaving = false;
    super.handleConnect();
  }

  @Override
  protected void handleDisconnect() {
    leaving = true;
    super.handleDisconnect();
  }

  @Override
  public void stop() {
    leaving = true;
    super.stop();
  }

  @Override
  public void connectionClosed(Connection connection) {
    Address peer = connection.peerAddress();
    View current = view;
    if (leaving || !(peer instanceof PhysicalAddress physical) || current == null) {
      return;
    }
    Address member = logical_addr_cache.getByValue(physical);
    if (member != null && !member.equals(local_addr) && current.containsMember(member)) {
      lost.add(member.toString());
      LOG.info("event=cluster.connection_lost member={} message=\"suspected; dropped unless it answers\"", member);
      up_prot.up(new Event(Event.SUSPECT, List.of(member)));
    }
  }

  @Override
  public void connectionEstablished(Connection connection) {
    if (!lost.isEmpty() && connection.peerAddress() instanceof PhysicalAddress physical) {
      Address member = logical_addr_cache.getByValue(physical);
      if (member != null) {
        lost.remove(member.toString());
      }
    }
  }

  /**
   * Whether {@code nodeId}'s connection dropped and it has not connected again since. A dead member stays named
   * here after it leaves the view (a few bytes each): the bus may still pick it for a moment after the view change.
   */
  boolean unreachable(String nodeId) {
    return lost.contains(nodeId);
  }
}
