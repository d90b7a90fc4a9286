package dev.twofa.config;

import java.util.List;

/**
 * Clustering with Hazelcast. With {@code members} empty, members find each other by multicast; otherwise by the
 * TCP/IP member list ({@code host} or {@code host:port}). {@code host} is this node's address for both Hazelcast
 * and the event bus (empty: let them choose).
 */
public record ClusterPolicy(boolean enabled, String name, List<String> members, String host, int port, int eventBusPort) {
}
