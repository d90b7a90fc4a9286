package dev.twofa.config;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxies whose {@code X-Forwarded-For} entries are believed, as CIDR ranges ({@code 10.0.0.0/8,::1/128}).
 * Empty (the default): no proxy is trusted and the client address is the socket's peer.
 */
public final class TrustedProxies {
  private final List<IpSubnetFilterRule> ranges;
  private final String text;

  private TrustedProxies(List<IpSubnetFilterRule> ranges, String text) {
    this.ranges = ranges;
    this.text = text;
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of(), "");
  }

  /** Parses comma-separated CIDRs; anything else (a host name, a missing prefix) fails naming {@code variable}. */
  public static TrustedProxies parse(String variable, String value) {
    List<IpSubnetFilterRule> ranges = new ArrayList<>();
    for (String item : value.split(",")) {
      String cidr = item.strip();
      if (cidr.isEmpty()) {
        continue;
      }
      ranges.add(range(variable, cidr));
    }
    return new TrustedProxies(List.copyOf(ranges), value.strip());
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public boolean contains(InetAddress address) {
    InetSocketAddress socket = new InetSocketAddress(address, 0);
    return ranges.stream().anyMatch(range -> range.matches(socket));
  }

  /** An IP literal as an address, or null; never a DNS lookup (IPv4-mapped IPv6 comes back as IPv4). */
  public static InetAddress ipLiteral(String text) {
    byte[] bytes = text == null ? null : NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return null;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static IpSubnetFilterRule range(String variable, String cidr) {
    String rule = variable + " must be comma-separated CIDR ranges of IP addresses (e.g. 10.0.0.0/8,::1/128); "
      + cidr + " is not one";
    int slash = cidr.indexOf('/');
    InetAddress address = slash < 0 ? null : ipLiteral(cidr.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException(rule);
    }
    try {
      // The InetAddress constructor, not the String one: that one would resolve a host name.
      return new IpSubnetFilterRule(address, Integer.parseInt(cidr.substring(slash + 1)), IpFilterRuleType.ACCEPT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(rule);
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
