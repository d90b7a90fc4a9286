package dev.twofa.cluster;

import io.vertx.core.Future;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What this node believes of the cluster's shared maps, which any node (an edge too) can write: a node's event-bus
 * address only when it verifies ({@link NodeIdentity}), and a consumer of an auth or audit address only on a
 * verified member. So a node holding an edge's keys may register such consumers, but no node ever sends them a
 * request, a login or a relayed event.
 */
final class MemberRegistrations {
  private static final Logger LOG = LoggerFactory.getLogger(MemberRegistrations.class);
  /** The prefixes of every auth and audit operation (bus.Operations); only members serve them. */
  static final List<String> MEMBER_ONLY = List.of("twofa.auth.", "twofa.audit.");
  /** At most this many refused nodes are logged by id; beyond that, quietly refused (no log flood). */
  private static final int REPORTED = 1000;

  private final NodeIdentity identity;
  private final Function<String, Future<NodeInfo>> nodeMap;
  /** Verified members' addresses, kept: a node's address never changes, so a later entry cannot redirect it. */
  private final Map<String, NodeInfo> members = new ConcurrentHashMap<>();
  private final Set<String> reported = ConcurrentHashMap.newKeySet();

  /** {@code nodeMap} reads a node's entry from the cluster's node map, unverified. */
  MemberRegistrations(NodeIdentity identity, Function<String, Future<NodeInfo>> nodeMap) {
    this.identity = identity;
    this.nodeMap = nodeMap;
  }

  static boolean memberOnly(String address) {
    for (String prefix : MEMBER_ONLY) {
      if (address.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /** This node's own entry, as it wrote it: a member knows itself without reading the map back. */
  void self(NodeInfo signed, ClusterRole role) {
    if (role == ClusterRole.MEMBER) {
      members.put(identity.nodeId(), signed);
    }
  }

  /** Where to reach {@code nodeId}; fails as "no handlers" (sent again elsewhere) when its entry does not verify. */
  Future<NodeInfo> address(String nodeId) {
    NodeInfo member = members.get(nodeId);
    if (member != null) {
      return Future.succeededFuture(member);
    }
    return nodeMap.apply(nodeId).compose(info -> {
      Optional<ClusterRole> role = identity.verify(nodeId, info);
      if (role.isEmpty()) {
        report(nodeId, "unsigned_address", "-");
        return Future.failedFuture(new ReplyException(ReplyFailure.NO_HANDLERS, "node " + nodeId + " is not verified"));
      }
      if (role.get() == ClusterRole.MEMBER) {
        members.putIfAbsent(nodeId, info);
      }
      return Future.succeededFuture(info);
    });
  }

  /** {@code registrations} of {@code address} that this node may send to: for auth and audit, members' only. */
  Future<List<RegistrationInfo>> filter(String address, List<RegistrationInfo> registrations) {
    if (!memberOnly(address) || registrations.stream().allMatch(r -> members.containsKey(r.nodeId()))) {
      return Future.succeededFuture(registrations);
    }
    Map<String, Future<Boolean>> checks = new HashMap<>();
    for (RegistrationInfo registration : registrations) {
      checks.computeIfAbsent(registration.nodeId(), this::isMember);
    }
    return Future.join(List.copyOf(checks.values())).transform(done -> Future.succeededFuture(registrations.stream()
      .filter(registration -> {
        boolean member = Boolean.TRUE.equals(checks.get(registration.nodeId()).result());
        if (!member) {
          report(registration.nodeId(), "not_a_member", address);
        }
        return member;
      })
      .toList()));
  }

  private Future<Boolean> isMember(String nodeId) {
    return address(nodeId).map(info -> members.containsKey(nodeId)).otherwise(false);
  }

  /** Once per node: an unsigned address is never used; a non-member's consumer of auth or audit is never sent to. */
  private void report(String nodeId, String reason, String address) {
    if (reported.size() < REPORTED && reported.add(nodeId + " " + reason)) {
      LOG.warn("event=cluster.node_refused node={} reason={} address={}", nodeId, reason, address);
    }
  }
}
