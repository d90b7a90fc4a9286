package dev.twofa.support;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on a loopback UDP port that answers A queries for the names it is given (Netty's DNS codec reads
 * and writes the messages), as a Kubernetes headless Service's name answers with its pods' addresses. Every
 * other question gets NXDOMAIN. {@link #close()} stops it.
 */
public final class TestDnsServer implements AutoCloseable {
  private final DatagramSocket socket;
  private final Map<String, List<InetAddress>> names = new ConcurrentHashMap<>();
  private final AtomicInteger queries = new AtomicInteger();
  private final Thread thread;

  public TestDnsServer() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "test-dns-server");
    thread.setDaemon(true);
    thread.start();
  }

  /** {@code name} answers with {@code addresses} from now on (an empty list: NXDOMAIN). */
  public TestDnsServer answer(String name, List<InetAddress> addresses) {
    names.put(canonical(name), List.copyOf(addresses));
    return this;
  }

  /** host:port, as TWOFA_CLUSTER_DNS_SERVER takes it. */
  public String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  /** How many questions it has answered. */
  public int queries() {
    return queries.get();
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        byte[] reply = reply(Unpooled.copiedBuffer(packet.getData(), 0, packet.getLength()),
          (InetSocketAddress) packet.getSocketAddress());
        socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
      } catch (IOException closedOrBroken) {
        // closed: the loop ends; a broken packet: the client retries
      }
    }
  }

  private byte[] reply(ByteBuf request, InetSocketAddress client) {
    InetSocketAddress local = (InetSocketAddress) socket.getLocalSocketAddress();
    EmbeddedChannel decoder = new EmbeddedChannel(new DatagramDnsQueryDecoder());
    decoder.writeInbound(new io.netty.channel.socket.DatagramPacket(request, local, client));
    DatagramDnsQuery query = decoder.readInbound();
    try {
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      DatagramDnsResponse response = new DatagramDnsResponse(local, client, query.id());
      response.setRecursionDesired(query.isRecursionDesired()).setAuthoritativeAnswer(true);
      response.addRecord(DnsSection.QUESTION, question);
      List<InetAddress> addresses = names.get(canonical(question.name()));
      if (question.type() == DnsRecordType.A && addresses != null && !addresses.isEmpty()) {
        for (InetAddress address : addresses) {
          response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 1,
            Unpooled.wrappedBuffer(address.getAddress())));
        }
      } else {
        response.setCode(DnsResponseCode.NXDOMAIN);
      }
      queries.incrementAndGet();
      EmbeddedChannel encoder = new EmbeddedChannel(new DatagramDnsResponseEncoder());
      encoder.writeOutbound(response);
      io.netty.channel.socket.DatagramPacket encoded = encoder.readOutbound();
      try {
        return ByteBufUtil.getBytes(encoded.content());
      } finally {
        encoded.release();
      }
    } finally {
      query.release();
    }
  }

  private static String canonical(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(5000);
  }
}
