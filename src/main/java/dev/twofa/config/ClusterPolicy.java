package dev.twofa.config;

import java.util.List;

/**
 * Clustering over Vert.x's Infinispan cluster manager, closed by default: members find each other only through
 * the static {@code members} list ({@code host} or {@code host:port}; no multicast) or, instead, through the
 * addresses a DNS name answers ({@code dns}, e.g. a Kubernetes headless Service; asked of {@code dnsServer},
 * host:port, or of the system's resolver when blank), every cluster port listens
 * on {@code host} only, and both the JGroups transport ({@code port}) and the event bus ({@code eventBusPort},
 * 0 = any free port) speak mutual TLS with credentials derived from the shared secret key.
 */
public record ClusterPolicy(boolean enabled, String name, List<String> members, String host, int port, int eventBusPort,
                            String dns, String dnsServer) {

  /** One entry of the member list; a member written without a port is on this node's cluster port. */
  public record Member(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  public ClusterPolicy {
    members = List.copyOf(members);
    if (enabled) {
      // Checked here, not when the first connection fails: a cluster that cannot form should not start at all.
      if (host.isBlank()) {
        throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_HOST is required with " + TwofaConfig.PREFIX
          + "CLUSTER=true: this node's address that the other members reach; every cluster port listens there only");
      }
      if (List.of("0.0.0.0", "::", "[::]", "*", "0:0:0:0:0:0:0:0").contains(host)) {
        throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_HOST must be one address of this node, not "
          + host + " (all interfaces)");
      }
      if (members.isEmpty() && dns.isBlank()) {
        throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_MEMBERS is required with " + TwofaConfig.PREFIX
          + "CLUSTER=true: host[:port] of the cluster's nodes, separated by commas (there is no multicast discovery),"
          + " or " + TwofaConfig.PREFIX + "CLUSTER_DNS: a DNS name that answers with their addresses");
      }
      if (!members.isEmpty() && !dns.isBlank()) {
        throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_DNS replaces " + TwofaConfig.PREFIX
          + "CLUSTER_MEMBERS: set one of them");
      }
      memberList(members, port);
    }
    if (!dnsServer.isBlank() && (dns.isBlank() || !dnsServer.matches("[A-Za-z0-9.-]+:\\d{1,5}|\\[[0-9A-Fa-f:.]+]:\\d{1,5}"))) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_DNS_SERVER must be host:port of a DNS server,"
        + " beside " + TwofaConfig.PREFIX + "CLUSTER_DNS");
    }
  }

  /** Members are found through DNS rather than the static list. */
  public boolean discoversByDns() {
    return !dns.isBlank();
  }

  /**
   * The record type to ask: SRV for a service name ({@code _jgroups._tcp.twofa-auth...}, whose records carry each
   * member's port), else A (a headless Service's name: each address on this node's cluster port).
   */
  public String dnsRecordType() {
    return dns.startsWith("_") ? "SRV" : "A";
  }

  /** The member list with every port filled in. */
  public List<Member> memberList() {
    return memberList(members, port);
  }

  private static List<Member> memberList(List<String> members, int defaultPort) {
    return members.stream().map(member -> parse(member, defaultPort)).toList();
  }

  private static Member parse(String member, int defaultPort) {
    String host = member;
    String port = null;
    if (member.startsWith("[")) {
      int end = member.indexOf(']');
      host = end < 0 ? "" : member.substring(1, end);
      String rest = end < 0 ? "" : member.substring(end + 1);
      port = rest.startsWith(":") ? rest.substring(1) : rest.isEmpty() ? null : "bad";
    } else if (member.indexOf(':') >= 0 && member.indexOf(':') == member.lastIndexOf(':')) {
      host = member.substring(0, member.indexOf(':'));
      port = member.substring(member.indexOf(':') + 1);
    }
    try {
      int number = port == null ? defaultPort : Integer.parseInt(port);
      if (host.isBlank() || number < 1 || number > 65535) {
        throw new NumberFormatException();
      }
      return new Member(host, number);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_MEMBERS has \"" + member
        + "\": each member must be host, host:port or [ipv6]:port, with a port from 1 to 65535");
    }
  }
}
