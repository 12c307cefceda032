package dev.domainkeeper.dns.resolver;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dns.AuthoritativeLookup;
import dev.domainkeeper.dns.DnsAnswer;
import dev.domainkeeper.dns.DnsAnswer.DnsValue;
import dev.domainkeeper.dns.DnsAnswer.Outcome;
import dev.domainkeeper.dns.DnsLookup;
import dev.domainkeeper.domain.RecordType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * Queries DNS servers with dnsjava's asynchronous resolvers: UDP first, TCP when an answer comes
 * back truncated (dnsjava's {@link SimpleResolver} retries by itself), no cache.
 *
 * <p>Each lookup has one deadline, {@code timeout}. The servers are tried in order, each once, each
 * with an equal share of the time left, so that one dead server does not use up the whole budget. A
 * server's answer (SERVFAIL and REFUSED included) is final; only a timeout or a network failure moves
 * on to the next server. The deadline is enforced here with {@link CompletableFuture#orTimeout}, not
 * left to dnsjava, whose I/O thread checks its timeouts only about once a second.
 *
 * <p>An authoritative lookup ({@link #authoritative}) asks its one server without recursion (RD
 * off) and takes an answer without the AA flag as an error: the server does not hold the zone.
 */
final class DnsjavaLookup implements DnsLookup {

    /** How many CNAMEs in a row an answer may hold before the rest is ignored. */
    private static final int MAX_CNAME_CHAIN = 16;

    private final List<SimpleResolver> resolvers;
    private final Duration timeout;
    private final Executor executor;
    private final String servers;
    private final boolean authoritative;

    DnsjavaLookup(List<InetSocketAddress> servers, Duration timeout, Executor executor) {
        this(servers, timeout, executor, false);
    }

    private DnsjavaLookup(List<InetSocketAddress> servers, Duration timeout, Executor executor, boolean authoritative) {
        this.authoritative = authoritative;
        this.timeout = requireNonNull(timeout, "timeout");
        this.executor = requireNonNull(executor, "executor");
        List<SimpleResolver> simple = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver resolver = new SimpleResolver(server);
            // dnsjava's own timeout only cleans up; the deadline below is what callers see.
            resolver.setTimeout(timeout);
            simple.add(resolver);
        }
        this.resolvers = List.copyOf(simple);
        this.servers = servers.stream().map(DnsjavaLookup::hostPort).collect(Collectors.joining(", "));
    }

    /** Returns a lookup that asks {@code server} alone, without recursion, and wants authoritative answers. */
    static DnsjavaLookup authoritative(InetSocketAddress server, Duration timeout, Executor executor) {
        return new DnsjavaLookup(List.of(server), timeout, executor, true);
    }

    @Override
    public CompletableFuture<DnsAnswer> query(String name, RecordType type) {
        requireNonNull(name, "name");
        requireNonNull(type, "type");
        int qtype = dnsType(type);
        return send(name, qtype, (message, qname) -> toAnswer(message, qname, qtype), DnsjavaLookup::error);
    }

    /**
     * Returns the IPv4 (A) and then IPv6 (AAAA) addresses of {@code host}, each with {@code port}; a
     * failed lookup of one family is only reported when the other found nothing either.
     */
    CompletableFuture<AuthoritativeLookup.Addresses> addresses(String host, int port) {
        requireNonNull(host, "host");
        CompletableFuture<AuthoritativeLookup.Addresses> v4 = addresses(host, Type.A, port);
        CompletableFuture<AuthoritativeLookup.Addresses> v6 = addresses(host, Type.AAAA, port);
        return v4.thenCombine(v6, (a, b) -> {
            List<InetSocketAddress> all = new ArrayList<>(a.addresses());
            all.addAll(b.addresses());
            if (!all.isEmpty()) {
                return AuthoritativeLookup.Addresses.of(all);
            }
            String why = !a.error().isEmpty() ? a.error() : b.error();
            return AuthoritativeLookup.Addresses.failed(
                    why.isEmpty() ? "no A or AAAA record at " + host : "could not look up " + host + ": " + why);
        });
    }

    private CompletableFuture<AuthoritativeLookup.Addresses> addresses(String host, int qtype, int port) {
        return send(
                host,
                qtype,
                (message, qname) -> {
                    if (message.getRcode() != Rcode.NOERROR && message.getRcode() != Rcode.NXDOMAIN) {
                        return AuthoritativeLookup.Addresses.failed(
                                Rcode.string(message.getRcode()) + " from " + from(message));
                    }
                    List<InetSocketAddress> found = new ArrayList<>();
                    for (Record r : message.getSection(Section.ANSWER)) {
                        if (r instanceof ARecord a) {
                            found.add(new InetSocketAddress(a.getAddress(), port));
                        } else if (r instanceof AAAARecord aaaa) {
                            found.add(new InetSocketAddress(aaaa.getAddress(), port));
                        }
                    }
                    return AuthoritativeLookup.Addresses.of(found);
                },
                AuthoritativeLookup.Addresses::failed);
    }

    /**
     * Sends one query for {@code name} and {@code qtype} and reads the response with {@code read}, or
     * turns the failure (or an exception of {@code read}) into {@code failed}'s result.
     */
    private <T> CompletableFuture<T> send(
            String name, int qtype, BiFunction<Message, Name, T> read, Function<String, T> failed) {
        Name qname;
        try {
            qname = Name.fromString(name.trim(), Name.root);
        } catch (TextParseException e) {
            return CompletableFuture.completedFuture(
                    failed.apply("\"" + name + "\" is not a valid DNS name: " + e.getMessage()));
        }
        Message query = Message.newQuery(Record.newRecord(qname, qtype, DClass.IN));
        if (authoritative) {
            query.getHeader().unsetFlag(Flags.RD);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        return ask(query, 0, deadline)
                .handleAsync(
                        (message, failure) -> {
                            if (failure != null) {
                                return failed.apply(describe(failure));
                            }
                            try {
                                return read.apply(message, qname);
                            } catch (RuntimeException e) {
                                // The port promises never to fail a lookup with an exception; a malformed record lands
                                // here.
                                return failed.apply(describe(e));
                            }
                        },
                        executor);
    }

    /** Sends {@code query} to the server at {@code index}, then to the next ones while it fails. */
    private CompletableFuture<Message> ask(Message query, int index, long deadline) {
        long left = deadline - System.nanoTime();
        long share = Math.max(left / (resolvers.size() - index), TimeUnit.MILLISECONDS.toNanos(1));
        SimpleResolver resolver = resolvers.get(index);
        CompletableFuture<Message> attempt;
        try {
            attempt = resolver.sendAsync(query, executor).toCompletableFuture();
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        return attempt.orTimeout(share, TimeUnit.NANOSECONDS)
                .handle((message, failure) -> {
                    boolean timeLeft = deadline - System.nanoTime() > 0;
                    if (failure == null) {
                        return CompletableFuture.completedFuture(message);
                    }
                    if (index + 1 >= resolvers.size() || !timeLeft) {
                        return CompletableFuture.<Message>failedFuture(
                                new AttemptFailedException(hostPort(resolver.getAddress()), failure));
                    }
                    return ask(query, index + 1, deadline);
                })
                .thenCompose(Function.identity());
    }

    @Override
    public String toString() {
        return "DnsjavaLookup[servers=" + servers + ", timeout=" + format(timeout) + "]";
    }

    private DnsAnswer toAnswer(Message message, Name qname, int qtype) {
        int rcode = message.getRcode();
        String from = from(message);
        switch (rcode) {
            case Rcode.NOERROR:
            case Rcode.NXDOMAIN:
                break;
            case Rcode.SERVFAIL:
                return error("server failure (SERVFAIL) from " + from);
            case Rcode.REFUSED:
                return error("query refused (REFUSED) by " + from);
            default:
                return error("unexpected response code " + Rcode.string(rcode) + " from " + from);
        }
        if (authoritative && !message.getHeader().getFlag(Flags.AA)) {
            return error("not authoritative: " + from + " answered without the AA flag, so it does not serve the zone");
        }

        List<Record> answer = message.getSection(Section.ANSWER);
        Set<Name> owners = new HashSet<>();
        owners.add(qname);
        List<DnsValue> cnames = new ArrayList<>();
        if (qtype != Type.CNAME) {
            Name current = qname;
            for (int hop = 0; hop < MAX_CNAME_CHAIN; hop++) {
                CNAMERecord next = cnameAt(answer, current);
                if (next == null || owners.contains(next.getTarget())) {
                    break;
                }
                cnames.add(toValue(next));
                current = next.getTarget();
                owners.add(current);
            }
        }
        List<DnsValue> records = new ArrayList<>();
        for (Record r : answer) {
            if (r.getType() == qtype && owners.contains(r.getName())) {
                records.add(toValue(r));
            }
        }

        Outcome outcome;
        if (rcode == Rcode.NXDOMAIN) {
            outcome = Outcome.NXDOMAIN;
        } else {
            outcome = records.isEmpty() ? Outcome.NO_DATA : Outcome.FOUND;
        }
        return new DnsAnswer(outcome, records, cnames, "");
    }

    private String from(Message message) {
        return message.getResolver()
                .filter(SimpleResolver.class::isInstance)
                .map(r -> hostPort(((SimpleResolver) r).getAddress()))
                .orElse(servers);
    }

    private static CNAMERecord cnameAt(List<Record> answer, Name owner) {
        for (Record r : answer) {
            if (r instanceof CNAMERecord cname && r.getName().equals(owner)) {
                return cname;
            }
        }
        return null;
    }

    private static DnsValue toValue(Record r) {
        if (r instanceof CNAMERecord cname) {
            return new DnsValue(RecordType.CNAME, 0, hostName(cname.getTarget()));
        }
        if (r instanceof MXRecord mx) {
            return new DnsValue(RecordType.MX, mx.getPriority(), hostName(mx.getTarget()));
        }
        if (r instanceof NSRecord ns) {
            return new DnsValue(RecordType.NS, 0, hostName(ns.getTarget()));
        }
        if (r instanceof TXTRecord txt) {
            // Joined as bytes first: a character may be split across two strings.
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (byte[] part : txt.getStringsAsByteArrays()) {
                joined.writeBytes(part);
            }
            return new DnsValue(RecordType.TXT, 0, joined.toString(StandardCharsets.UTF_8));
        }
        throw new IllegalStateException(
                "record type: " + Type.string(r.getType()) + " (expected: CNAME, MX, NS or TXT)");
    }

    /** Returns the name lower case without its trailing dot; the root (a "null MX") stays ".". */
    private static String hostName(Name name) {
        if (name.equals(Name.root)) {
            return ".";
        }
        return name.toString(true).toLowerCase(Locale.ROOT);
    }

    private static int dnsType(RecordType type) {
        return switch (type) {
            case CNAME -> Type.CNAME;
            case MX -> Type.MX;
            case TXT -> Type.TXT;
            case NS -> Type.NS;
        };
    }

    private String describe(Throwable failure) {
        String server = servers;
        Throwable cause = failure;
        while ((cause instanceof CompletionException
                        || cause instanceof ExecutionException
                        || cause instanceof AttemptFailedException)
                && cause.getCause() != null) {
            if (cause instanceof AttemptFailedException attempt) {
                server = attempt.server;
            }
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        if (cause instanceof TimeoutException
                || cause instanceof SocketTimeoutException
                || (cause instanceof IOException
                        && message.toLowerCase(Locale.ROOT).contains("timed out"))) {
            return "timed out after " + format(timeout);
        }
        if (cause instanceof PortUnreachableException) {
            return "no DNS server listening at " + server + " (port unreachable)";
        }
        if (cause instanceof WireParseException) {
            return "malformed response from " + server + ": " + message;
        }
        if (cause instanceof IOException) {
            return "network error talking to " + server + ": " + message;
        }
        return "lookup failed: " + message;
    }

    /** Carries which server the last, failed attempt went to. */
    private static final class AttemptFailedException extends RuntimeException {
        private final String server;

        AttemptFailedException(String server, Throwable cause) {
            super(server, cause, false, false);
            this.server = server;
        }
    }

    private static DnsAnswer error(String reason) {
        return new DnsAnswer(Outcome.ERROR, List.of(), List.of(), reason);
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private static String hostPort(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
