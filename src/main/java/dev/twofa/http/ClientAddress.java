package dev.twofa.http;

import dev.twofa.bus.ClientInfo;
import dev.twofa.config.TrustedProxies;
import io.netty.util.NetUtil;
import io.vertx.core.Handler;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;

import java.net.InetAddress;
import java.util.List;

/**
 * The client's address as the per-address limits and Activity see it. {@code X-Forwarded-For} is read only when
 * the socket's peer is a trusted proxy, and then from the right: each entry was appended by the hop to its right,
 * so the walk skips trusted proxies and stops at the first address that is not one. Everything left of that is
 * whatever the client chose to send and is never read.
 * <p>
 * An entry that is not a bare IP literal (a host name, {@code unknown}, a port, garbage, over 64 characters)
 * cannot have been written by a trusted proxy, so it also ends the walk: the answer is then the last trusted
 * address reached (the entry to its right, or the peer). When every entry is trusted, the answer is the leftmost
 * one. Never a DNS lookup, never an exception.
 */
final class ClientAddress implements Handler<RoutingContext> {
  static final String HEADER = "X-Forwarded-For";
  private static final String KEY = "twofa.clientAddress";
  private static final String NETWORK_KEY = "twofa.clientNetwork";
  private static final int MAX_ENTRY_LENGTH = 64;
  private final TrustedProxies trusted;
  private final int ipv6Prefix;

  ClientAddress(TrustedProxies trusted, int ipv6Prefix) {
    this.trusted = trusted;
    this.ipv6Prefix = ipv6Prefix;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String address = resolve(peer(ctx), ctx.request().headers().getAll(HEADER), trusted);
    ctx.put(KEY, address);
    ctx.put(NETWORK_KEY, ClientInfo.network(address, ipv6Prefix));
    ctx.next();
  }

  /** The address this handler resolved, or the socket's peer where it did not run. */
  static String of(RoutingContext ctx) {
    String resolved = ctx.get(KEY);
    return resolved != null ? resolved : resolve(peer(ctx), List.of(), TrustedProxies.none());
  }

  /** What the per-address limits count this client by (TWOFA_IPV6_PREFIX); null where the handler did not run. */
  static String network(RoutingContext ctx) {
    return ctx.get(NETWORK_KEY);
  }

  /**
   * {@code peer} as the socket reports it; {@code forwardedFor} every X-Forwarded-For header in arrival order.
   * The address comes back in canonical text (RFC 5952 for IPv6), or "" when the peer is not an IP address.
   */
  static String resolve(String peer, List<String> forwardedFor, TrustedProxies trusted) {
    InetAddress reached = TrustedProxies.ipLiteral(peer);
    if (reached == null) {
      return "";
    }
    for (int h = forwardedFor.size() - 1; h >= 0 && trusted.contains(reached); h--) {
      String[] entries = forwardedFor.get(h).split(",", -1);
      for (int e = entries.length - 1; e >= 0 && trusted.contains(reached); e--) {
        InetAddress next = entry(entries[e]);
        if (next == null) {
          return NetUtil.toAddressString(reached);
        }
        reached = next;
      }
    }
    return NetUtil.toAddressString(reached);
  }

  private static InetAddress entry(String raw) {
    String text = raw.strip();
    return text.length() > MAX_ENTRY_LENGTH ? null : TrustedProxies.ipLiteral(text);
  }

  private static String peer(RoutingContext ctx) {
    SocketAddress remote = ctx.request().remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }
}
