package dev.domainkeeper.testing;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Serves DNS on 127.0.0.1 (or another loopback address, see {@link #start(String, int)}), UDP and
 * TCP on one port, from records and faults a test sets while it runs. It answers like an
 * authoritative server for every name it holds (with the AA flag, unless {@link #authoritative}
 * turns it off), and never recurses:
 *
 * <ul>
 *   <li>records of the asked type: NOERROR with them in the answer section;
 *   <li>a name it holds without that type: NOERROR and no records ("no data");
 *   <li>a name it does not hold: NXDOMAIN;
 *   <li>a CNAME at the asked name (unless CNAME is asked): the CNAME in the answer, then the same
 *       rules at its target, up to 16 hops. When the target is a name it does not hold, the answer
 *       is NOERROR with the CNAMEs only, as a server does for a target outside its zones.
 *   <li>A records ({@link #addA}) for names such as name server hosts.
 * </ul>
 *
 * <p>Several servers can act as one zone's name servers: on Linux all of 127.0.0.0/8 reaches
 * loopback, so servers on 127.0.0.2, 127.0.0.3... can share one port (see {@link #startGroup}).
 *
 * <p>A UDP answer longer than {@value #MAX_UDP_PAYLOAD} bytes is replaced by an empty one with the
 * TC bit, whatever EDNS size the client offers, so clients must retry over TCP: this exercises their
 * fallback with records of modest size.
 *
 * <p>Names are case-insensitive and may end with a dot. Every method is thread-safe; mutators return
 * {@code this} to chain. Start one per test class, either in a try-with-resources block or as a
 * JUnit extension, which empties it before each test and closes it after the class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final LoopbackDnsServer dns = LoopbackDnsServer.start();
 *
 * @Test
 * void validation_missingDmarc_isMissing() {
 *     dns.addTxt("example.com", "v=spf1 include:amazonses.com ~all")
 *        .addMx("mail.example.com", 10, "feedback-smtp.us-east-1.amazonses.com");
 *     // point the code under test at dns.address() or dns.hostAndPort()
 * }
 * }</pre>
 */
public final class LoopbackDnsServer implements AutoCloseable, BeforeEachCallback, AfterAllCallback {

    /** The largest UDP answer sent; a longer one goes out truncated (TC bit set). */
    public static final int MAX_UDP_PAYLOAD = 512;

    /** The TTL of every record served. */
    public static final long TTL_SECONDS = 300;

    private static final int MAX_CNAME_HOPS = 16;
    private static final int MAX_STRING_BYTES = 255;

    /** The transport a query came over. */
    public enum Transport {
        UDP,
        TCP
    }

    /** A way to misbehave for one name. */
    private enum Fault {
        SERVFAIL,
        REFUSED,
        DROP
    }

    /** One record's data: the host for CNAME/MX/NS (with the MX priority), or the TXT strings. */
    private record Data(RecordType type, int priority, List<String> strings) {}

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final InetSocketAddress address;
    private final ExecutorService connections;
    private final ScheduledExecutorService scheduler;
    private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
    private final Thread udpThread;
    private final Thread acceptThread;

    private final Object lock = new Object();
    /** Guarded by {@link #lock}: normalized name to its records by type, each list in insertion order. */
    private final Map<String, Map<RecordType, List<Data>>> zone = new HashMap<>();

    /** Guarded by {@link #lock}: normalized name to its A record addresses, in insertion order. */
    private final Map<String, List<InetAddress>> addresses = new HashMap<>();

    private volatile boolean authoritative = true;
    private final AtomicInteger recursionDesired = new AtomicInteger();

    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, Duration> nameDelays = new ConcurrentHashMap<>();
    private volatile Duration delay = Duration.ZERO;

    private final Map<String, Map<Integer, AtomicInteger>> queriesByName = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> tcpQueriesByName = new ConcurrentHashMap<>();
    private final AtomicInteger totalQueries = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    private volatile boolean closed;

    private LoopbackDnsServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        this.address = new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
        String prefix = "loopback-dns-" + address.getAddress().getHostAddress() + "-" + address.getPort();
        this.connections = Executors.newCachedThreadPool(daemon(prefix + "-tcp"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon(prefix + "-delayed"));
        this.udpThread = daemon(prefix + "-udp").newThread(this::serveUdp);
        this.acceptThread = daemon(prefix + "-accept").newThread(this::acceptTcp);
        udpThread.start();
        acceptThread.start();
    }

    /**
     * Starts a server with no records on 127.0.0.1, UDP and TCP on the same free port.
     *
     * @throws UncheckedIOException when no port free for both could be found
     */
    public static LoopbackDnsServer start() {
        return start(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * Starts a server with no records on {@code address} (a loopback address such as {@code
     * 127.0.0.2}), UDP and TCP on {@code port} (0: a free one).
     *
     * @throws UncheckedIOException when the port is taken, or no port free for both could be found
     */
    public static LoopbackDnsServer start(String address, int port) {
        InetAddress bind;
        try {
            bind = InetAddress.getByName(address);
        } catch (IOException e) {
            throw new IllegalArgumentException("address: \"" + address + "\" (expected: an IP address)", e);
        }
        if (!bind.isLoopbackAddress()) {
            throw new IllegalArgumentException("address: " + address + " (expected: a loopback address, 127.x.x.x)");
        }
        return start(bind, port);
    }

    /**
     * Starts one server on each of {@code addresses} (loopback addresses), all on one free port, so
     * that together they can act as a zone's name servers asked on that port.
     *
     * @throws UncheckedIOException when no port free on all of them could be found
     */
    public static List<LoopbackDnsServer> startGroup(String... addresses) {
        UncheckedIOException last = null;
        for (int attempt = 0; attempt < 20; attempt++) {
            List<LoopbackDnsServer> group = new ArrayList<>();
            try {
                for (String a : addresses) {
                    group.add(start(
                            a, group.isEmpty() ? 0 : group.get(0).address().getPort()));
                }
                return List.copyOf(group);
            } catch (UncheckedIOException e) {
                last = e;
                group.forEach(LoopbackDnsServer::close);
            }
        }
        throw new UncheckedIOException(
                "no port free on all of " + List.of(addresses) + " after 20 attempts", last.getCause());
    }

    private static LoopbackDnsServer start(InetAddress loopback, int port) {
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? 20 : 1); attempt++) {
            DatagramSocket udp = null;
            try {
                udp = new DatagramSocket(new InetSocketAddress(loopback, port));
                ServerSocket tcp = new ServerSocket();
                try {
                    tcp.bind(new InetSocketAddress(loopback, udp.getLocalPort()), 50);
                } catch (IOException e) {
                    tcp.close();
                    throw e;
                }
                return new LoopbackDnsServer(udp, tcp);
            } catch (BindException e) {
                // The TCP side of this UDP port is taken (or, with a port given, either side); try another port.
                last = e;
                if (udp != null) {
                    udp.close();
                }
            } catch (IOException e) {
                if (udp != null) {
                    udp.close();
                }
                throw new UncheckedIOException("could not start the loopback DNS server", e);
            }
        }
        throw new UncheckedIOException(
                port == 0
                        ? "no port on " + loopback.getHostAddress() + " free for both UDP and TCP after 20 attempts"
                        : "port " + port + " on " + loopback.getHostAddress() + " is taken",
                last);
    }

    /** Returns the address to send queries to: the loopback address it is bound to and its port. */
    public InetSocketAddress address() {
        return address;
    }

    /** Returns {@code "<address>:<port>"}, the form {@code DOMAINKEEPER_DNS_RESOLVERS} takes. */
    public String hostAndPort() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    // ---------------------------------------------------------------- records

    /**
     * Adds one record. {@code value} is the target host for CNAME and NS, {@code "<priority> <host>"}
     * for MX (e.g. {@code "10 inbound-smtp.us-east-1.amazonaws.com"}), and the text for TXT, split
     * into 255-byte strings when longer, as Route 53 would publish it. Adding a record that is already
     * there changes nothing.
     *
     * @throws IllegalArgumentException when the name or value is not valid for the type
     * @throws IllegalStateException when it would put a CNAME beside other records at one name
     */
    public LoopbackDnsServer add(String name, RecordType type, String value) {
        requireNonNull(type, "type");
        requireNonNull(value, "value");
        return switch (type) {
            case CNAME -> addCname(name, value);
            case NS -> put(name, new Data(RecordType.NS, 0, List.of(normalize("value", value))));
            case TXT -> addTxt(name, splitTxt(value));
            case MX -> {
                String[] parts = value.trim().split("\\s+");
                if (parts.length != 2 || !parts[0].matches("\\d{1,5}") || Integer.parseInt(parts[0]) > 65535) {
                    throw new IllegalArgumentException("value: \"" + value
                            + "\" is not an MX value (expected: \"<priority 0-65535> <host>\","
                            + " e.g. \"10 mx.example.com\")");
                }
                yield addMx(name, Integer.parseInt(parts[0]), parts[1]);
            }
        };
    }

    /**
     * Adds a planned record as it would be published (MX with its priority); records that are not
     * in {@code except}'s purposes only.
     */
    public LoopbackDnsServer publish(List<DnsRecord> records, RecordPurpose... except) {
        for (DnsRecord r : records) {
            if (List.of(except).contains(r.purpose())) {
                continue;
            }
            switch (r.type()) {
                case CNAME -> addCname(r.name(), r.value());
                case MX -> addMx(r.name(), r.priority(), r.value());
                default -> add(r.name(), r.type(), r.value());
            }
        }
        return this;
    }

    /**
     * Adds what SES needs to see to verify a domain as the API returns it (its {@code dns_records}):
     * the DKIM, MAIL FROM MX and MAIL FROM SPF records, and the SPF record of amazonses.com.
     */
    public LoopbackDnsServer publishForVerification(JsonNode domain) {
        for (JsonNode r : domain.get("dns_records")) {
            switch (r.get("purpose").asText()) {
                case "DKIM" -> addCname(r.get("name").asText(), r.get("value").asText());
                case "MAIL_FROM_MX" ->
                    addMx(
                            r.get("name").asText(),
                            r.get("priority").asInt(),
                            r.get("value").asText());
                case "MAIL_FROM_SPF" ->
                    addTxt(r.get("name").asText(), r.get("value").asText());
                default -> {}
            }
        }
        return addTxt("amazonses.com", "v=spf1 ip4:199.255.192.0/22 -all");
    }

    /**
     * Adds an MX record {@code name} → {@code host} with {@code priority}.
     *
     * @throws IllegalArgumentException when {@code priority} is outside 0-65535 or a name is invalid
     */
    public LoopbackDnsServer addMx(String name, int priority, String host) {
        if (priority < 0 || priority > 65535) {
            throw new IllegalArgumentException("priority: " + priority + " (expected: 0-65535)");
        }
        return put(name, new Data(RecordType.MX, priority, List.of(normalize("host", host))));
    }

    /**
     * Adds one TXT record made of {@code strings}, each served as one character-string (so a record
     * published as several strings can be tested). Each must fit in 255 bytes of UTF-8.
     *
     * @throws IllegalArgumentException when there are no strings or one is longer than 255 bytes
     */
    public LoopbackDnsServer addTxt(String name, String... strings) {
        requireNonNull(strings, "strings");
        if (strings.length == 0) {
            throw new IllegalArgumentException("strings: none (expected: at least one)");
        }
        for (String s : strings) {
            requireNonNull(s, "strings contains null");
            int bytes = s.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_STRING_BYTES) {
                throw new IllegalArgumentException("strings: one is " + bytes
                        + " bytes long (expected: at most 255; use add(name, TXT, value) to split it)");
            }
        }
        return put(name, new Data(RecordType.TXT, 0, List.of(strings)));
    }

    /**
     * Adds a CNAME {@code name} → {@code target}.
     *
     * @throws IllegalStateException when {@code name} already holds other records or another CNAME
     */
    public LoopbackDnsServer addCname(String name, String target) {
        return put(name, new Data(RecordType.CNAME, 0, List.of(normalize("target", target))));
    }

    /**
     * Adds an A record {@code name} → {@code ip} (an IPv4 address), e.g. for a name server host.
     *
     * @throws IllegalArgumentException when {@code ip} is not an IPv4 address
     */
    public LoopbackDnsServer addA(String name, String ip) {
        String owner = normalize("name", name);
        requireNonNull(ip, "ip");
        if (!ip.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("ip: \"" + ip + "\" (expected: an IPv4 address such as 127.0.0.2)");
        }
        InetAddress parsed;
        try {
            parsed = InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalArgumentException("ip: \"" + ip + "\" (expected: an IPv4 address such as 127.0.0.2)", e);
        }
        synchronized (lock) {
            List<InetAddress> list = addresses.computeIfAbsent(owner, n -> new ArrayList<>());
            if (!list.contains(parsed)) {
                list.add(parsed);
            }
        }
        return this;
    }

    /**
     * Sets whether answers carry the AA flag (default true). A server answering without it says it
     * does not hold the zone, as a lame delegation does.
     */
    public LoopbackDnsServer authoritative(boolean authoritative) {
        this.authoritative = authoritative;
        return this;
    }

    /** Removes every record of {@code type} at {@code name}; a name left empty stops existing. */
    public LoopbackDnsServer remove(String name, RecordType type) {
        String owner = normalize("name", name);
        requireNonNull(type, "type");
        synchronized (lock) {
            Map<RecordType, List<Data>> node = zone.get(owner);
            if (node != null) {
                node.remove(type);
                if (node.isEmpty()) {
                    zone.remove(owner);
                }
            }
        }
        return this;
    }

    /** Removes every record and every fault and delay; the query counters stay (see {@link #resetCounters}). */
    public LoopbackDnsServer clear() {
        synchronized (lock) {
            zone.clear();
            addresses.clear();
        }
        authoritative = true;
        faults.clear();
        nameDelays.clear();
        delay = Duration.ZERO;
        return this;
    }

    // ---------------------------------------------------------------- faults

    /** Holds every answer back by {@code delay} ({@link Duration#ZERO} to stop). */
    public LoopbackDnsServer delay(Duration delay) {
        this.delay = checkDelay(delay);
        return this;
    }

    /** Holds answers to queries for {@code name} back by {@code delay}, instead of the delay for all. */
    public LoopbackDnsServer delay(String name, Duration delay) {
        String owner = normalize("name", name);
        if (checkDelay(delay).isZero()) {
            nameDelays.remove(owner);
        } else {
            nameDelays.put(owner, delay);
        }
        return this;
    }

    /** Answers queries for {@code name} with SERVFAIL until {@link #answerNormally} or {@link #clear}. */
    public LoopbackDnsServer servfail(String name) {
        faults.put(normalize("name", name), Fault.SERVFAIL);
        return this;
    }

    /** Answers queries for {@code name} with REFUSED until {@link #answerNormally} or {@link #clear}. */
    public LoopbackDnsServer refuse(String name) {
        faults.put(normalize("name", name), Fault.REFUSED);
        return this;
    }

    /**
     * Never answers queries for {@code name} (they are still counted), so that clients time out,
     * until {@link #answerNormally} or {@link #clear}.
     */
    public LoopbackDnsServer dropQueries(String name) {
        faults.put(normalize("name", name), Fault.DROP);
        return this;
    }

    /** Ends a fault set for {@code name} by {@link #servfail}, {@link #refuse} or {@link #dropQueries}. */
    public LoopbackDnsServer answerNormally(String name) {
        faults.remove(normalize("name", name));
        return this;
    }

    // ---------------------------------------------------------------- counters

    /** Returns how many queries for {@code name}, of any type and over either transport, arrived. */
    public int queryCount(String name) {
        Map<Integer, AtomicInteger> byType = queriesByName.get(normalize("name", name));
        return byType == null
                ? 0
                : byType.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Returns how many queries for {@code name} and {@code type} arrived, over either transport. */
    public int queryCount(String name, RecordType type) {
        requireNonNull(type, "type");
        Map<Integer, AtomicInteger> byType = queriesByName.get(normalize("name", name));
        AtomicInteger count = byType == null ? null : byType.get(Type.value(type.name()));
        return count == null ? 0 : count.get();
    }

    /** Returns how many of the queries for {@code name} came over TCP. */
    public int tcpQueryCount(String name) {
        AtomicInteger count = tcpQueriesByName.get(normalize("name", name));
        return count == null ? 0 : count.get();
    }

    /** Returns how many queries arrived with the RD (recursion desired) flag set. */
    public int recursionDesiredQueryCount() {
        return recursionDesired.get();
    }

    /** Returns how many queries arrived in all, well-formed ones for any name. */
    public int totalQueryCount() {
        return totalQueries.get();
    }

    /**
     * Returns the most queries that were being held at one time (arrived, not yet answered; dropped
     * ones do not count). Above 1 only when a client had queries in flight together, which with a
     * {@link #delay} shows that it does not wait for one answer before sending the next query.
     */
    public int maxConcurrentQueries() {
        return maxInFlight.get();
    }

    /** Sets every counter back to zero. */
    public LoopbackDnsServer resetCounters() {
        queriesByName.clear();
        tcpQueriesByName.clear();
        totalQueries.set(0);
        recursionDesired.set(0);
        maxInFlight.set(inFlight.get());
        return this;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Stops serving and releases the port before returning (the socket of a thread blocked in
     * receive is only released when that thread leaves, so this waits for it). Calling it again does
     * nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // Closing anyway; nothing to do.
        }
        for (Socket s : openSockets) {
            closeQuietly(s);
        }
        scheduler.shutdownNow();
        connections.shutdownNow();
        try {
            udpThread.join(5_000);
            acceptThread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Empties the server before each test when it is registered as a JUnit extension. */
    @Override
    public void beforeEach(ExtensionContext context) {
        clear();
        resetCounters();
    }

    /** Closes the server after the test class when it is registered as a static JUnit extension. */
    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public String toString() {
        return "LoopbackDnsServer[" + hostAndPort() + (closed ? ", closed" : "") + "]";
    }

    // ---------------------------------------------------------------- serving

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            byte[] wire =
                    Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
            SocketAddress client = packet.getSocketAddress();
            handle(wire, Transport.UDP, answer -> {
                try {
                    udp.send(new DatagramPacket(answer, answer.length, client));
                } catch (IOException e) {
                    // The client is gone or we are closing: like a lost packet.
                }
            });
        }
    }

    private void acceptTcp() {
        while (!closed) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            openSockets.add(socket);
            try {
                connections.execute(() -> serveConnection(socket));
            } catch (RejectedExecutionException e) {
                closeQuietly(socket);
            }
        }
    }

    /** Reads length-prefixed queries until the client closes; answers may go out in any order. */
    private void serveConnection(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException e) {
                    return;
                }
                byte[] wire = in.readNBytes(length);
                if (wire.length < length) {
                    return;
                }
                handle(wire, Transport.TCP, answer -> {
                    byte[] framed = new byte[answer.length + 2];
                    framed[0] = (byte) (answer.length >>> 8);
                    framed[1] = (byte) answer.length;
                    System.arraycopy(answer, 0, framed, 2, answer.length);
                    synchronized (out) {
                        try {
                            out.write(framed);
                            out.flush();
                        } catch (IOException e) {
                            // The client closed the connection first.
                        }
                    }
                });
            }
        } catch (IOException e) {
            // The client went away or we are closing.
        } finally {
            openSockets.remove(socket);
        }
    }

    private void handle(byte[] wire, Transport transport, Consumer<byte[]> send) {
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            return; // Not DNS; a real server drops it too.
        }
        Record question = query.getQuestion();
        if (query.getHeader().getFlag(Flags.QR)) {
            return; // A response, not a query.
        }
        if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
            Message error = emptyResponse(query, question);
            error.getHeader().setRcode(question == null ? Rcode.FORMERR : Rcode.NOTIMP);
            send.accept(error.toWire());
            return;
        }

        String name = question.getName().toString(true).toLowerCase(Locale.ROOT);
        count(name, question.getType(), transport);
        if (query.getHeader().getFlag(Flags.RD)) {
            recursionDesired.incrementAndGet();
        }
        Fault fault = faults.get(name);
        if (fault == Fault.DROP) {
            return;
        }
        byte[] answer = answer(query, question, name, fault).toWire();
        if (transport == Transport.UDP && answer.length > MAX_UDP_PAYLOAD) {
            Message truncated = emptyResponse(query, question);
            truncated.getHeader().setFlag(Flags.TC);
            answer = truncated.toWire();
        }

        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        byte[] toSend = answer;
        Runnable reply = () -> {
            try {
                send.accept(toSend);
            } finally {
                inFlight.decrementAndGet();
            }
        };
        Duration wait = nameDelays.getOrDefault(name, delay);
        if (wait.isZero()) {
            reply.run();
            return;
        }
        try {
            scheduler.schedule(reply, wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            inFlight.decrementAndGet(); // Closing.
        }
    }

    private Message answer(Message query, Record question, String name, Fault fault) {
        Message response = emptyResponse(query, question);
        Header header = response.getHeader();
        if (!authoritative) {
            header.unsetFlag(Flags.AA);
        }
        if (fault == Fault.SERVFAIL) {
            header.setRcode(Rcode.SERVFAIL);
            return response;
        }
        if (fault == Fault.REFUSED) {
            header.unsetFlag(Flags.AA);
            header.setRcode(Rcode.REFUSED);
            return response;
        }

        int qtype = question.getType();
        RecordType asked = recordType(qtype);
        String current = name;
        Set<String> visited = new HashSet<>();
        synchronized (lock) {
            List<InetAddress> a = addresses.get(current);
            if (a != null && !zone.containsKey(current)) {
                if (qtype == Type.A) {
                    for (InetAddress ip : a) {
                        response.addRecord(new ARecord(absolute(current), DClass.IN, TTL_SECONDS, ip), Section.ANSWER);
                    }
                }
                return response; // No data of another type at a name holding only A records.
            }
            for (int hop = 0; hop <= MAX_CNAME_HOPS && visited.add(current); hop++) {
                Map<RecordType, List<Data>> node = zone.get(current);
                if (node == null) {
                    if (hop == 0) {
                        header.setRcode(Rcode.NXDOMAIN);
                    }
                    break;
                }
                List<Data> found = asked == null ? null : node.get(asked);
                if (found != null) {
                    for (Data data : found) {
                        response.addRecord(toRecord(current, data), Section.ANSWER);
                    }
                    break;
                }
                List<Data> cname = node.get(RecordType.CNAME);
                if (cname == null || qtype == Type.CNAME) {
                    break; // No data of this type.
                }
                response.addRecord(toRecord(current, cname.get(0)), Section.ANSWER);
                current = cname.get(0).strings().get(0);
            }
        }
        return response;
    }

    private static Message emptyResponse(Message query, Record question) {
        Message response = new Message(query.getHeader().getID());
        Header header = response.getHeader();
        header.setFlag(Flags.QR);
        header.setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            header.setFlag(Flags.RD);
        }
        header.setOpcode(query.getHeader().getOpcode());
        if (question != null) {
            response.addRecord(question, Section.QUESTION);
        }
        return response;
    }

    private static Record toRecord(String owner, Data data) {
        Name name = absolute(owner);
        return switch (data.type()) {
            case CNAME ->
                new CNAMERecord(
                        name, DClass.IN, TTL_SECONDS, absolute(data.strings().get(0)));
            case NS ->
                new NSRecord(
                        name, DClass.IN, TTL_SECONDS, absolute(data.strings().get(0)));
            case MX ->
                new MXRecord(
                        name,
                        DClass.IN,
                        TTL_SECONDS,
                        data.priority(),
                        absolute(data.strings().get(0)));
            case TXT ->
                new TXTRecord(
                        name,
                        DClass.IN,
                        TTL_SECONDS,
                        data.strings().stream()
                                .map(LoopbackDnsServer::escapeForDnsjava)
                                .toList());
        };
    }

    /**
     * Returns {@code s} in the zone-file escaping dnsjava's TXT constructor reads, so that its UTF-8
     * bytes, backslashes and quotes included, go on the wire as they are.
     */
    private static String escapeForDnsjava(String s) {
        StringBuilder escaped = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '\\' && c != '"') {
                escaped.append((char) c);
            } else {
                escaped.append(String.format("\\%03d", c));
            }
        }
        return escaped.toString();
    }

    private void count(String name, int type, Transport transport) {
        totalQueries.incrementAndGet();
        queriesByName
                .computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(type, t -> new AtomicInteger())
                .incrementAndGet();
        if (transport == Transport.TCP) {
            tcpQueriesByName.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        }
    }

    // ---------------------------------------------------------------- helpers

    private LoopbackDnsServer put(String name, Data data) {
        String owner = normalize("name", name);
        synchronized (lock) {
            Map<RecordType, List<Data>> node = zone.getOrDefault(owner, Map.of());
            List<Data> cname = node.get(RecordType.CNAME);
            if (data.type() == RecordType.CNAME) {
                if (cname != null && !cname.contains(data)) {
                    throw new IllegalStateException("name: " + owner + " already has a CNAME to "
                            + cname.get(0).strings().get(0)
                            + " (expected: one CNAME at a name; remove(name, CNAME) first)");
                }
                if (cname == null && !node.isEmpty()) {
                    throw new IllegalStateException("name: " + owner + " holds " + node.keySet()
                            + " (expected: no other records beside a CNAME; remove them first)");
                }
            } else if (cname != null) {
                throw new IllegalStateException("name: " + owner + " holds a CNAME (expected: no other records"
                        + " beside a CNAME; remove(name, CNAME) first)");
            }
            List<Data> rrset = zone.computeIfAbsent(owner, n -> new EnumMap<>(RecordType.class))
                    .computeIfAbsent(data.type(), t -> new ArrayList<>());
            if (!rrset.contains(data)) {
                rrset.add(data);
            }
        }
        return this;
    }

    private static String[] splitTxt(String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_STRING_BYTES) {
            return new String[] {value};
        }
        // Split on character boundaries so that each string is valid UTF-8 of at most 255 bytes.
        List<String> parts = new ArrayList<>();
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        int i = 0;
        while (i < value.length()) {
            int cp = value.codePointAt(i);
            byte[] encoded = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            if (part.size() + encoded.length > MAX_STRING_BYTES) {
                parts.add(part.toString(StandardCharsets.UTF_8));
                part.reset();
            }
            part.writeBytes(encoded);
            i += Character.charCount(cp);
        }
        parts.add(part.toString(StandardCharsets.UTF_8));
        return parts.toArray(String[]::new);
    }

    private static RecordType recordType(int dnsType) {
        return switch (dnsType) {
            case Type.CNAME -> RecordType.CNAME;
            case Type.MX -> RecordType.MX;
            case Type.TXT -> RecordType.TXT;
            case Type.NS -> RecordType.NS;
            default -> null;
        };
    }

    /** Returns {@code name} lower case without its trailing dot, the form names are kept in. */
    private static String normalize(String what, String name) {
        requireNonNull(name, what);
        String trimmed = name.trim();
        if (trimmed.isEmpty() || trimmed.equals(".")) {
            throw new IllegalArgumentException(
                    what + ": \"" + name + "\" (expected: a domain name such as example.com)");
        }
        try {
            return Name.fromString(trimmed, Name.root).toString(true).toLowerCase(Locale.ROOT);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(
                    what + ": \"" + name + "\" is not a valid DNS name (" + e.getMessage() + ")");
        }
    }

    private static Name absolute(String normalized) {
        try {
            return Name.fromString(normalized, Name.root);
        } catch (TextParseException e) {
            throw new IllegalStateException("stored name: \"" + normalized + "\" no longer parses", e);
        }
    }

    private static Duration checkDelay(Duration delay) {
        requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay: " + delay + " (expected: >= 0)");
        }
        return delay;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
