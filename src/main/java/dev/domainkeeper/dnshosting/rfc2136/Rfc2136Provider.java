package dev.domainkeeper.dnshosting.rfc2136;

import static java.util.Objects.requireNonNull;

import com.google.common.net.HostAndPort;
import dev.domainkeeper.dnshosting.DnsProvider;
import dev.domainkeeper.dnshosting.HostedZone;
import dev.domainkeeper.dnshosting.ProviderAccessDeniedException;
import dev.domainkeeper.dnshosting.ProviderConcurrentChangeException;
import dev.domainkeeper.dnshosting.ProviderRejectedException;
import dev.domainkeeper.dnshosting.ProviderUnavailableException;
import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.RecordType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/**
 * Publishes records to an authoritative server that accepts RFC 2136 dynamic updates signed with
 * TSIG (BIND, Knot, PowerDNS). Reads are TSIG-signed queries to that server over TCP, one per name
 * and type. A write is one update message whose prerequisites say each record set is exactly as
 * read (or absent when none was read), so a change someone else made in between makes the server
 * refuse the whole update (NXRRSET / YXRRSET) instead of it being overwritten. After the server
 * accepts, each record set is read back from it: the change is confirmed on submit.
 *
 * <p>The zone id is the zone's name.
 */
public final class Rfc2136Provider implements DnsProvider {
    static final String NAME = "The RFC 2136 server";
    private static final int[] TYPES = {Type.CNAME, Type.MX, Type.TXT, Type.NS};

    private final String server;
    private final SimpleResolver resolver;
    /** What the last read found per "name type" key: the prerequisites of the next write. */
    private final Map<String, List<Record>> lastRead = new HashMap<>();

    private Rfc2136Provider(String server, SimpleResolver resolver) {
        this.server = server;
        this.resolver = resolver;
    }

    /**
     * Creates a provider for {@code server} ({@code host:port}) with the TSIG key.
     *
     * @param algorithm e.g. {@code hmac-sha256}
     * @param secret the key in base64
     */
    public static Rfc2136Provider create(
            String server, String keyName, String algorithm, String secret, Duration timeout) {
        requireNonNull(server, "server");
        HostAndPort hp = HostAndPort.fromString(server).withDefaultPort(53);
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(hp.getHost(), hp.getPort()));
        resolver.setTCP(true);
        resolver.setTimeout(timeout);
        try {
            resolver.setTSIGKey(new TSIG(algorithm, keyName, secret));
        } catch (IllegalArgumentException e) {
            throw new ProviderAccessDeniedException(NAME, "the TSIG key is not usable: " + e.getMessage(), e);
        }
        return new Rfc2136Provider(hp.toString(), resolver);
    }

    @Override
    public String name() {
        return NAME + " " + server;
    }

    /** Finds the zone by a signed SOA query for the domain and each parent: the server must be authoritative. */
    @Override
    public Optional<HostedZone> findZone(String domain) {
        String name = HostNames.normalize(domain);
        while (name.indexOf('.') > 0) {
            Message answer = query(name, Type.SOA);
            if (answer.getRcode() == Rcode.NOERROR && answer.getHeader().getFlag(org.xbill.DNS.Flags.AA)) {
                for (Record r : answer.getSection(Section.ANSWER)) {
                    if (r instanceof SOARecord
                            && HostNames.normalize(r.getName().toString()).equals(name)) {
                        List<String> ns = new ArrayList<>();
                        for (Record n : query(name, Type.NS).getSection(Section.ANSWER)) {
                            if (n instanceof NSRecord nsr) {
                                ns.add(HostNames.normalize(nsr.getTarget().toString()));
                            }
                        }
                        return Optional.of(new HostedZone(
                                name, name, false, 0, ns.stream().sorted().toList()));
                    }
                }
            }
            name = name.substring(name.indexOf('.') + 1);
        }
        return Optional.empty();
    }

    @Override
    public List<RecordSet> readRecords(String zoneId, Collection<String> names) {
        List<RecordSet> sets = new ArrayList<>();
        for (String n : names) {
            String name = HostNames.normalize(n);
            for (int type : TYPES) {
                List<Record> records = read(name, type);
                lastRead.put(key(name, type), records);
                if (!records.isEmpty()) {
                    sets.add(new RecordSet(
                            name,
                            RecordType.valueOf(Type.string(type)),
                            records.get(0).getTTL(),
                            records.stream().map(Rfc2136Provider::value).toList()));
                }
            }
        }
        return sets;
    }

    @Override
    public String submit(String zoneId, List<RecordChange> changes) {
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("changes: none (expected: at least one)");
        }
        Name zone = name(zoneId);
        Update update = new Update(zone);
        for (RecordChange change : changes) {
            RecordSet set = change.recordSet();
            int type = Type.value(set.type().name());
            Name owner = name(set.name());
            List<Record> before = lastRead.computeIfAbsent(key(set.name(), type), k -> read(set.name(), type));
            if (before.isEmpty()) {
                update.absent(owner, type);
            } else {
                // "RRset exists (value dependent)": the whole set, class IN, TTL 0 (RFC 2136 section 2.4.2).
                for (Record r : before) {
                    update.addRecord(
                            Record.newRecord(r.getName(), r.getType(), DClass.IN, 0, r.rdataToWireCanonical()),
                            Section.PREREQ);
                }
            }
            update.delete(owner, type);
            for (String v : wanted(change)) {
                update.add(record(owner, set.type(), set.ttl(), v));
            }
        }
        Message answer = send(update);
        int rcode = answer.getRcode();
        if (rcode == Rcode.NXRRSET || rcode == Rcode.YXRRSET || rcode == Rcode.NXDOMAIN || rcode == Rcode.YXDOMAIN) {
            throw new ProviderConcurrentChangeException(
                    name(),
                    Rcode.string(rcode) + " for "
                            + changes.stream()
                                    .map(c -> c.recordSet().type() + " "
                                            + c.recordSet().name())
                                    .toList());
        }
        if (rcode == Rcode.NOTAUTH || rcode == Rcode.REFUSED) {
            throw new ProviderAccessDeniedException(
                    name(),
                    "the update of zone " + zoneId + " was answered " + Rcode.string(rcode)
                            + " (expected: the TSIG key is allowed to update the zone)",
                    null);
        }
        if (rcode == Rcode.SERVFAIL) {
            throw new ProviderUnavailableException(
                    name(), "the update answered SERVFAIL", Duration.ofSeconds(10), null);
        }
        if (rcode != Rcode.NOERROR) {
            throw new ProviderRejectedException(
                    name(),
                    Rcode.string(rcode),
                    "the update was answered " + Rcode.string(rcode),
                    Rcode.string(rcode),
                    null);
        }
        confirm(changes);
        return "rfc2136-" + serial(zoneId);
    }

    /** Returns the values the record set holds after {@code change}: none once deleted. */
    private static List<String> wanted(RecordChange change) {
        return change.action() == RecordChange.Action.DELETE
                ? List.of()
                : change.recordSet().values();
    }

    /** Reads each changed record set back from the server and checks it holds exactly the new values. */
    private void confirm(List<RecordChange> changes) {
        for (RecordChange change : changes) {
            RecordSet set = change.recordSet();
            int type = Type.value(set.type().name());
            List<Record> now = read(set.name(), type);
            lastRead.put(key(set.name(), type), now);
            List<String> values =
                    now.stream().map(Rfc2136Provider::value).sorted().toList();
            List<String> expected = wanted(change).stream().sorted().toList();
            if (!values.equals(expected)) {
                throw new ProviderUnavailableException(
                        name(),
                        "the server accepted the update but serves " + values + " at " + set.type() + " " + set.name()
                                + " (expected: " + expected + ")",
                        Duration.ofSeconds(10),
                        null);
            }
        }
    }

    /** Confirmed by reading back on submit. */
    @Override
    public boolean isInSync(String changeId) {
        return true;
    }

    @Override
    public boolean confirmsOnSubmit() {
        return true;
    }

    private long serial(String zone) {
        for (Record r : query(zone, Type.SOA).getSection(Section.ANSWER)) {
            if (r instanceof SOARecord soa) {
                return soa.getSerial();
            }
        }
        return 0;
    }

    private List<Record> read(String name, int type) {
        Message answer = query(name, type);
        int rcode = answer.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            if (rcode == Rcode.NOTAUTH || rcode == Rcode.REFUSED) {
                throw new ProviderAccessDeniedException(
                        name(),
                        "a query for " + Type.string(type) + " " + name + " was answered " + Rcode.string(rcode),
                        null);
            }
            throw new ProviderUnavailableException(
                    name(),
                    "a query for " + Type.string(type) + " " + name + " was answered " + Rcode.string(rcode),
                    Duration.ofSeconds(10),
                    null);
        }
        List<Record> records = new ArrayList<>();
        for (Record r : answer.getSection(Section.ANSWER)) {
            if (r.getType() == type
                    && HostNames.normalize(r.getName().toString()).equals(name)) {
                records.add(r);
            }
        }
        return records;
    }

    private Message query(String name, int type) {
        return send(Message.newQuery(Record.newRecord(name(name), type, DClass.IN)));
    }

    private Message send(Message m) {
        Message answer;
        try {
            answer = resolver.send(m);
        } catch (IOException e) {
            throw new ProviderUnavailableException(name(), e.toString(), Duration.ofSeconds(10), e);
        }
        if (answer.getRcode() == Rcode.REFUSED && answer.getTSIG() == null) {
            return answer; // Knot and BIND refuse unsigned a name outside the zones they serve.
        }
        if (answer.getTSIG() == null || !answer.isVerified()) {
            // A refused key answers NOTAUTH with an unsigned or unverifiable TSIG (BADKEY, BADSIG, BADTIME).
            String error = answer.getTSIG() == null
                    ? "unsigned"
                    : Rcode.TSIGstring(answer.getTSIG().getError());
            throw new ProviderAccessDeniedException(
                    name(),
                    "the server did not accept the TSIG key (" + Rcode.string(answer.getRcode()) + ", " + error
                            + "; expected: the key name, algorithm and secret configured on the server)",
                    null);
        }
        return answer;
    }

    private static Record record(Name owner, RecordType type, long ttl, String value) {
        try {
            return switch (type) {
                case CNAME -> new CNAMERecord(owner, DClass.IN, ttl, name(value));
                case NS -> new NSRecord(owner, DClass.IN, ttl, name(value));
                case MX -> {
                    String[] parts = value.split(" ", 2);
                    yield new MXRecord(owner, DClass.IN, ttl, Integer.parseInt(parts[0]), name(parts[1]));
                }
                case TXT -> new TXTRecord(owner, DClass.IN, ttl, split(value));
            };
        } catch (IllegalArgumentException e) {
            throw new ProviderRejectedException(
                    NAME, "BADVALUE", e.getMessage(), "value " + value + " of " + type + " " + owner + ": " + e, e);
        }
    }

    /** Splits a TXT value into character-strings of at most 255 bytes. */
    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < text.length() || parts.isEmpty(); i += 255) {
            parts.add(text.substring(i, Math.min(text.length(), i + 255)));
        }
        return parts;
    }

    private static String value(Record r) {
        if (r instanceof TXTRecord txt) {
            return String.join("", txt.getStrings());
        }
        if (r instanceof MXRecord mx) {
            return mx.getPriority() + " " + HostNames.normalize(mx.getTarget().toString());
        }
        return HostNames.normalize(r.rdataToString());
    }

    private static Name name(String s) {
        try {
            return Name.fromString(HostNames.normalize(s) + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("name: '" + s + "' (expected: a domain name)", e);
        }
    }

    private static String key(String name, int type) {
        return HostNames.normalize(name) + " " + type;
    }
}
