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

import java.util.List;

/**
 * JGroups' TCP transport that suspects a member as soon as its connection drops. A killed process's sockets are
 * reset by its kernel at once, so this finds a dead node in milliseconds instead of after FD_ALL3's heartbeat
 * timeout (which stays, for a machine or link that goes silent). The suspicion goes up to VERIFY_SUSPECT2, which
 * asks the member and drops it only if it does not answer: a connection closed for another reason costs nothing.
 * It works over the TLS connections JGroups already has, where FD_SOCK2 would open a second, plaintext listener.
 */
final class SuspectingTcp extends TCP implements ConnectionListener {
  private static final Logger LOG = LoggerFactory.getLogger(SuspectingTcp.class);

  @Override
  public void start() throws Exception {
    super.start();
    srv.addConnectionListener(this);
  }

  @Override
  public void connectionClosed(Connection connection) {
    Address peer = connection.peerAddress();
    View current = view;
    if (!(peer instanceof PhysicalAddress physical) || current == null) {
      return;
    }
    Address member = logical_addr_cache.getByValue(physical);
    if (member != null && !member.equals(local_addr) && current.containsMember(member)) {
      LOG.info("event=cluster.connection_lost member={} message=\"suspected; dropped unless it answers\"", member);
      up_prot.up(new Event(Event.SUSPECT, List.of(member)));
    }
  }

  @Override
  public void connectionEstablished(Connection connection) {
    // nothing to do: a member is known by its view, not by its connections
  }
}
