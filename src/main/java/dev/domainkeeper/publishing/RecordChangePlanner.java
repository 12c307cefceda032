package dev.domainkeeper.publishing;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.dnshosting.RecordChange;
import dev.domainkeeper.dnshosting.RecordSet;
import dev.domainkeeper.domain.ApplyState.FailedRecord;
import dev.domainkeeper.domain.DkimKeyRecords;
import dev.domainkeeper.domain.DmarcPolicy;
import dev.domainkeeper.domain.DmarcRecord;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.DomainSettings;
import dev.domainkeeper.domain.HostNames;
import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.PublishedRecord;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.domain.RequiredRecords;
import dev.domainkeeper.domain.SpfRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Plans the change that publishes a domain's records into a zone without breaking the mail that
 * already flows (docs/ARCHITECTURE.md, "Never break mail that flows"). Pure: it reads the planned records
 * and the record sets the zone holds now, and decides per record whether to write it, leave it, or
 * refuse it with a reason.
 *
 * <p>The rules, per record:
 * <ul>
 *   <li>A name that holds a CNAME can hold nothing else, and a CNAME cannot join other records:
 *       such a record is refused, never forced (a {@code _dmarc} CNAME to a DMARC vendor stays).
 *   <li>DKIM CNAME: written unless it already points at the right target.
 *   <li>MX (MAIL FROM and inbound): written when the name has no MX or only SES hosts; foreign MX
 *       hosts are never replaced, the record is refused naming them.
 *   <li>SPF (apex per {@code spf_mode}, MAIL FROM always merged): other TXT values at the name
 *       (site verifications and the like) are sent again unchanged, since a Route 53 TXT record set
 *       holds every TXT value of the name; two SPF records at a name are refused, never merged.
 *   <li>DMARC: an existing valid record with a stricter policy is kept unless the user chose the
 *       policy explicitly, which Domainkeeper knows as {@code dmarc_policy} other than NONE (the
 *       default). A user who wants to relax a stricter existing policy to none edits DNS by hand.
 * </ul>
 * A record already right is left alone and reported unchanged (with the value found, when that
 * differs from the planned one, e.g. a kept stricter DMARC). TTLs of record sets that exist are
 * kept; new ones get the planned TTL.
 *
 * <p>The same rules run in reverse when a domain is removed: {@link #takeBack} plans taking back what
 * Domainkeeper published ({@link #published}), touching only what is still exactly as it wrote it.
 */
public final class RecordChangePlanner {
    private static final Pattern SES_FEEDBACK_HOST = Pattern.compile("feedback-smtp\\.[a-z0-9-]+\\.amazonses\\.com");
    private static final Pattern SES_INBOUND_HOST = Pattern.compile("inbound-smtp\\.[a-z0-9-]+\\.amazonaws\\.com");

    private RecordChangePlanner() {}

    /** Pairs a planned record (with the value that will be published) with the change that publishes it. */
    public record PlannedChange(DnsRecord record, RecordChange change) {
        public PlannedChange {
            requireNonNull(record, "record");
            requireNonNull(change, "change");
        }
    }

    /**
     * Holds the outcome of planning: the changes to submit (one per record set), the records refused
     * with reasons, and the records already right.
     */
    public record Plan(List<PlannedChange> changes, List<FailedRecord> failed, List<DnsRecord> unchanged) {
        public Plan {
            changes = List.copyOf(changes);
            failed = List.copyOf(failed);
            unchanged = List.copyOf(unchanged);
        }

        /** Returns the provider changes in planned order. */
        public List<RecordChange> recordChanges() {
            return changes.stream().map(PlannedChange::change).toList();
        }
    }

    /**
     * Plans the changes for {@code records} (as {@code RequiredRecords.plan} returns them) given the
     * domain's {@code settings} and the record sets {@code existing} at their names.
     */
    public static Plan plan(List<DnsRecord> records, DomainSettings settings, List<RecordSet> existing) {
        requireNonNull(records, "records");
        requireNonNull(settings, "settings");
        requireNonNull(existing, "existing");
        List<PlannedChange> changes = new ArrayList<>();
        List<FailedRecord> failed = new ArrayList<>();
        List<DnsRecord> unchanged = new ArrayList<>();
        for (DnsRecord record : records) {
            Names at = new Names(record.name(), existing);
            Decision d = at.cname()
                    .filter(c -> record.type() != RecordType.CNAME)
                    .map(c -> Decision.refuse(
                            record.name() + " is a CNAME to " + c.values().get(0)
                                    + ", which cannot share its name with a " + record.type() + " record; remove the"
                                    + " CNAME to publish this record"))
                    .orElseGet(() -> decide(record, settings, at));
            switch (d.kind) {
                case WRITE ->
                    changes.add(new PlannedChange(d.record, new RecordChange(RecordChange.Action.UPSERT, d.set)));
                case KEEP -> unchanged.add(d.record);
                case REFUSE -> failed.add(new FailedRecord(record, d.reason));
            }
        }
        return new Plan(changes, failed, unchanged);
    }

    /**
     * Returns what Domainkeeper publishes with {@code submitted} (changes of a plan made against
     * {@code existing}, accepted by the provider of {@code zoneId}), merged into what it had published
     * before ({@code before}): a record keeps "created" when the zone still held Domainkeeper's own
     * earlier value, so a record it created stays its own through later applies.
     */
    public static List<PublishedRecord> published(
            List<PublishedRecord> before, String zoneId, List<PlannedChange> submitted, List<RecordSet> existing) {
        List<PublishedRecord> out = new ArrayList<>(before);
        for (PlannedChange change : submitted) {
            DnsRecord record = change.record();
            Optional<PublishedRecord> earlier = out.stream()
                    .filter(p -> p.zoneId().equals(zoneId) && sameSet(p.record(), record))
                    .findFirst();
            Optional<String> found = kindAt(record, new Names(record.name(), existing));
            boolean created = found.isEmpty()
                    || earlier.filter(p -> p.created() && found.get().equals(ours(p.record())))
                            .isPresent();
            earlier.ifPresent(out::remove);
            out.add(new PublishedRecord(zoneId, record, created));
        }
        return out;
    }

    /**
     * Holds the outcome of planning a take-back: the changes to submit (one per record set: a DELETE
     * of the set as the zone holds it, or an UPSERT of what stays), what is removed and what is left
     * with the reason, as sentences for the caller.
     */
    public record TakeBack(List<RecordChange> changes, List<String> removed, List<String> left) {
        public TakeBack {
            changes = List.copyOf(changes);
            removed = List.copyOf(removed);
            left = List.copyOf(left);
        }
    }

    /**
     * Plans taking back the records Domainkeeper {@code published} into the zone that now holds
     * {@code existing} at their names (docs/API.md, "RemoveDomain"). Only what is still exactly as
     * Domainkeeper wrote it is touched:
     * <ul>
     *   <li>DKIM CNAME, MX: the record set is deleted when it holds exactly the published value.
     *   <li>SPF: {@code include:amazonses.com} is taken out of an SPF value still as published, every
     *       other term stays (the merge in reverse); the value is deleted only when Domainkeeper created
     *       it and nothing but the {@code all} mechanism would remain. Other TXT values at the name stay.
     *   <li>DMARC: a value Domainkeeper created is deleted when unchanged; one that replaced an earlier
     *       DMARC record is left, since the earlier one is not known any more.
     * </ul>
     * A record changed since, or gone, is left as it is with a note saying so.
     */
    public static TakeBack takeBack(List<PublishedRecord> published, List<RecordSet> existing) {
        requireNonNull(published, "published");
        requireNonNull(existing, "existing");
        Map<String, RecordSet> original = new LinkedHashMap<>();
        Map<String, List<String>> working = new LinkedHashMap<>();
        for (RecordSet set : existing) {
            original.putIfAbsent(key(set.name(), set.type()), set);
            working.putIfAbsent(key(set.name(), set.type()), new ArrayList<>(set.values()));
        }
        List<String> touched = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (PublishedRecord p : published) {
            DnsRecord r = p.record();
            String what = describe(r);
            String key = key(HostNames.normalize(r.name()), r.type());
            List<String> values = working.getOrDefault(key, new ArrayList<>());
            Optional<String> now = kindAt(r, values);
            if (now.isEmpty()) {
                left.add(what + " is no longer in the zone; there was nothing to take back");
                continue;
            }
            if (!now.get().equals(ours(r))) {
                left.add(what + " was changed since Domainkeeper published it (it is now " + now.get()
                        + "), so it was left as it is");
                continue;
            }
            switch (r.purpose()) {
                case DKIM, MAIL_FROM_MX, INBOUND_MX -> {
                    if (r.type() == RecordType.TXT) { // A BYODKIM key: other TXT values at the name stay.
                        values.removeIf(v -> DkimKeyRecords.publicKey(v).isPresent());
                    } else {
                        values.clear();
                    }
                    removed.add(what + " was removed");
                }
                case SPF, MAIL_FROM_SPF -> {
                    String value = now.get();
                    SpfRecord without = SpfRecord.parse("published SPF record", value)
                            .withoutInclude(RequiredRecords.SES_SPF_INCLUDE);
                    if (p.created() && without.namesNoSender()) {
                        values.removeIf(SpfRecord::isSpf);
                        removed.add(
                                what + " was removed: Domainkeeper created it, and it named no sender" + " but SES");
                    } else if (without.text().equals(value)) {
                        left.add(what + " names no include:" + RequiredRecords.SES_SPF_INCLUDE
                                + ", so it was left as it is");
                        continue;
                    } else {
                        values.replaceAll(v -> SpfRecord.isSpf(v) ? without.text() : v);
                        removed.add("include:" + RequiredRecords.SES_SPF_INCLUDE + " was taken out of " + what
                                + "; the rest stays: " + without.text());
                    }
                }
                case DMARC -> {
                    if (!p.created()) {
                        left.add(what + " replaced a DMARC record that was there before, which Domainkeeper"
                                + " cannot restore, so it was left as it is");
                        continue;
                    }
                    values.removeIf(DmarcRecord::isDmarc);
                    removed.add(what + " was removed");
                }
            }
            working.put(key, values);
            if (!touched.contains(key)) {
                touched.add(key);
            }
        }
        List<RecordChange> changes = new ArrayList<>();
        for (String key : touched) {
            RecordSet before = original.get(key);
            List<String> after = working.get(key);
            changes.add(
                    after.isEmpty()
                            ? new RecordChange(RecordChange.Action.DELETE, before)
                            : new RecordChange(
                                    RecordChange.Action.UPSERT,
                                    new RecordSet(before.name(), before.type(), before.ttl(), after)));
        }
        return new TakeBack(changes, removed, left);
    }

    /** Names a record for the caller, e.g. "the SPF record (TXT) at example.com". */
    private static String describe(DnsRecord r) {
        String kind = switch (r.purpose()) {
            case DKIM -> "the DKIM record (" + r.type() + ")";
            case MAIL_FROM_MX -> "the MAIL FROM MX record";
            case INBOUND_MX -> "the inbound MX record";
            case MAIL_FROM_SPF -> "the MAIL FROM SPF record (TXT)";
            case SPF -> "the SPF record (TXT)";
            case DMARC -> "the DMARC record (TXT)";
        };
        return kind + " at " + HostNames.normalize(r.name());
    }

    private static String key(String name, RecordType type) {
        return name + " " + type;
    }

    private static boolean sameSet(DnsRecord a, DnsRecord b) {
        return a.type() == b.type() && HostNames.normalize(a.name()).equals(HostNames.normalize(b.name()));
    }

    /** Returns the value of {@code r}'s kind the zone holds at its name, in the form {@link #ours} gives. */
    private static Optional<String> kindAt(DnsRecord r, Names at) {
        return kindAt(r, at.of(r.type()).map(RecordSet::values).orElse(List.of()));
    }

    /**
     * Returns the value of {@code r}'s kind among a record set's {@code values}: the CNAME target or the
     * MX values (normalized, joined), or the SPF or DMARC values of a TXT set (joined); empty when none.
     */
    private static Optional<String> kindAt(DnsRecord r, List<String> values) {
        List<String> kind = switch (r.purpose()) {
            case DKIM ->
                r.type() == RecordType.TXT
                        ? values.stream()
                                .filter(v -> DkimKeyRecords.publicKey(v).isPresent())
                                .map(String::strip)
                                .toList()
                        : values.stream().map(HostNames::normalize).toList();
            case MAIL_FROM_MX, INBOUND_MX ->
                values.stream().map(RecordChangePlanner::normalizeMx).toList();
            case SPF, MAIL_FROM_SPF ->
                values.stream().filter(SpfRecord::isSpf).map(String::strip).toList();
            case DMARC ->
                values.stream().filter(DmarcRecord::isDmarc).map(String::strip).toList();
        };
        return kind.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", kind));
    }

    /** Returns the value Domainkeeper wrote for {@code r}, in the form {@link #kindAt} gives. */
    private static String ours(DnsRecord r) {
        return switch (r.type()) {
            case CNAME, NS -> HostNames.normalize(r.value());
            case MX -> r.priority() + " " + HostNames.normalize(r.value());
            case TXT -> r.value().strip();
        };
    }

    private static Decision decide(DnsRecord record, DomainSettings settings, Names at) {
        return switch (record.purpose()) {
            case DKIM -> record.type() == RecordType.TXT ? dkimKey(record, at) : cname(record, at);
            case MAIL_FROM_MX ->
                mx(
                        record,
                        at,
                        SES_FEEDBACK_HOST,
                        "; the MAIL FROM domain needs exactly one MX, to SES: choose a mail_from_domain that"
                                + " receives no mail");
            case INBOUND_MX ->
                mx(
                        record,
                        at,
                        SES_INBOUND_HOST,
                        "; Domainkeeper never replaces a domain's MX hosts: move receiving to SES by hand or"
                                + " turn receive_enabled off");
            case MAIL_FROM_SPF ->
                spf(
                        record,
                        at,
                        current -> Optional.of(
                                        SpfRecord.mergeInclude(current.orElse(null), RequiredRecords.SES_SPF_INCLUDE))
                                .filter(merged -> !current.map(String::strip).equals(Optional.of(merged))));
            case SPF -> spf(record, at, current -> RequiredRecords.spfToPublish(settings, current));
            case DMARC -> dmarc(record, settings, at);
        };
    }

    /**
     * Decides a BYODKIM public key record: kept when the selector already serves this key, refused when
     * it serves another one (another sender's, never replaced), else written beside any other TXT value.
     */
    private static Decision dkimKey(DnsRecord record, Names at) {
        Optional<RecordSet> current = at.of(RecordType.TXT);
        List<String> values = current.map(RecordSet::values).orElse(List.of());
        Optional<String> wanted = DkimKeyRecords.publicKey(record.value());
        List<String> keys = values.stream()
                .map(DkimKeyRecords::publicKey)
                .flatMap(Optional::stream)
                .toList();
        if (wanted.isPresent() && keys.contains(wanted.get())) {
            return Decision.keep(record);
        }
        if (!keys.isEmpty()) {
            return Decision.refuse(record.name() + " already publishes another DKIM key, which Domainkeeper never"
                    + " replaces; choose another dkim_selector");
        }
        if (at.cname().isPresent()) {
            return Decision.refuse(record.name() + " is a CNAME, and a TXT record cannot share its name with it");
        }
        List<String> next = new ArrayList<>(values);
        next.add(record.value());
        return Decision.write(record, set(record, current, next));
    }

    private static Decision cname(DnsRecord record, Names at) {
        List<RecordSet> others = at.sets.stream()
                .filter(s -> s.type() != RecordType.CNAME && s.type() != RecordType.NS)
                .toList();
        if (!others.isEmpty()) {
            return Decision.refuse(
                    record.name() + " already has " + others.get(0).type() + " records "
                            + others.get(0).values() + ", and a CNAME cannot share its name with other records");
        }
        Optional<RecordSet> current = at.cname();
        if (current.isPresent()
                && HostNames.normalize(current.get().values().get(0)).equals(HostNames.normalize(record.value()))) {
            return Decision.keep(record);
        }
        return Decision.write(record, set(record, current, List.of(record.value())));
    }

    private static Decision mx(DnsRecord record, Names at, Pattern sesHosts, String advice) {
        String wanted = record.priority() + " " + HostNames.normalize(record.value());
        Optional<RecordSet> current = at.of(RecordType.MX);
        if (current.isEmpty()) {
            return Decision.write(record, set(record, current, List.of(wanted)));
        }
        List<String> values = current.get().values().stream()
                .map(RecordChangePlanner::normalizeMx)
                .toList();
        if (values.equals(List.of(wanted))) {
            return Decision.keep(record);
        }
        List<String> foreign = values.stream()
                .filter(v -> !sesHosts.matcher(v.substring(v.indexOf(' ') + 1)).matches())
                .toList();
        if (!foreign.isEmpty()) {
            return Decision.refuse("foreign MX hosts at " + record.name() + " would be replaced: "
                    + String.join(", ", foreign) + advice);
        }
        return Decision.write(record, set(record, current, List.of(wanted)));
    }

    /** Decides an SPF TXT value; {@code toPublish} maps the current SPF value to the new one, empty when it stays. */
    private static Decision spf(DnsRecord record, Names at, Function<Optional<String>, Optional<String>> toPublish) {
        Optional<RecordSet> current = at.of(RecordType.TXT);
        List<String> values = current.map(RecordSet::values).orElse(List.of());
        List<String> spf = values.stream().filter(SpfRecord::isSpf).toList();
        if (spf.size() > 1) {
            return Decision.refuse(record.name() + " has " + spf.size() + " SPF records " + spf
                    + ", which makes SPF fail for every sender; merge them into one by hand");
        }
        Optional<String> existing = spf.stream().findFirst();
        Optional<String> next;
        try {
            next = toPublish.apply(existing);
        } catch (InvalidInputException e) {
            return Decision.refuse(e.getMessage());
        }
        if (next.isEmpty()) {
            return Decision.keep(withValue(record, existing.orElse(record.value())));
        }
        return Decision.write(
                withValue(record, next.get()), set(record, current, replacing(values, SpfRecord::isSpf, next.get())));
    }

    private static Decision dmarc(DnsRecord record, DomainSettings settings, Names at) {
        Optional<RecordSet> current = at.of(RecordType.TXT);
        List<String> values = current.map(RecordSet::values).orElse(List.of());
        List<String> dmarc = values.stream().filter(DmarcRecord::isDmarc).toList();
        Optional<String> strictest = dmarc.stream()
                .filter(v -> parseDmarc(record.name(), v).isPresent())
                .max(Comparator.comparing(
                        (String v) -> parseDmarc(record.name(), v).orElseThrow().policy()));
        boolean explicit = settings.dmarcPolicy() != DmarcPolicy.NONE;
        if (!explicit
                && strictest.isPresent()
                && settings.dmarcPolicy()
                        .isWeakerThan(parseDmarc(record.name(), strictest.get())
                                .orElseThrow()
                                .policy())) {
            return Decision.keep(withValue(record, strictest.get()));
        }
        if (dmarc.size() == 1 && sameDmarc(record.name(), dmarc.get(0), record.value())) {
            return Decision.keep(record);
        }
        return Decision.write(record, set(record, current, replacing(values, DmarcRecord::isDmarc, record.value())));
    }

    private static boolean sameDmarc(String name, String found, String wanted) {
        Optional<DmarcRecord> parsed = parseDmarc(name, found);
        return parsed.isPresent()
                && parsed.get().text().equals(DmarcRecord.parse(name, wanted).text());
    }

    private static Optional<DmarcRecord> parseDmarc(String name, String value) {
        try {
            return Optional.of(DmarcRecord.parse(name, value));
        } catch (InvalidInputException e) {
            return Optional.empty(); // A record receivers ignore protects nothing; it may be replaced.
        }
    }

    /** Returns {@code values} with the first value {@code matches} accepts replaced by {@code value} and any
     *  further ones dropped, or {@code value} appended when none matches; other values keep their order. */
    private static List<String> replacing(List<String> values, Predicate<String> matches, String value) {
        List<String> out = new ArrayList<>();
        boolean placed = false;
        for (String v : values) {
            if (!matches.test(v)) {
                out.add(v);
            } else if (!placed) {
                out.add(value);
                placed = true;
            }
        }
        if (!placed) {
            out.add(value);
        }
        return out;
    }

    private static RecordSet set(DnsRecord record, Optional<RecordSet> current, List<String> values) {
        long ttl = current.map(RecordSet::ttl).orElse((long) record.ttl());
        return new RecordSet(record.name(), record.type(), ttl, values);
    }

    private static DnsRecord withValue(DnsRecord r, String value) {
        return new DnsRecord(r.type(), r.name(), value, r.priority(), r.ttl(), r.purpose(), r.required());
    }

    private static String normalizeMx(String value) {
        String[] parts = value.strip().split("\\s+", 2);
        return parts.length == 2 ? parts[0] + " " + HostNames.normalize(parts[1]) : HostNames.normalize(value);
    }

    /** The record sets found at one name. */
    private static final class Names {
        final List<RecordSet> sets;

        Names(String name, List<RecordSet> existing) {
            String wanted = HostNames.normalize(name);
            this.sets = existing.stream().filter(s -> s.name().equals(wanted)).toList();
        }

        Optional<RecordSet> of(RecordType type) {
            return sets.stream().filter(s -> s.type() == type).findFirst();
        }

        Optional<RecordSet> cname() {
            return of(RecordType.CNAME);
        }
    }

    /** What to do with one record. */
    private record Decision(Kind kind, DnsRecord record, RecordSet set, String reason) {
        enum Kind {
            WRITE,
            KEEP,
            REFUSE
        }

        static Decision write(DnsRecord record, RecordSet set) {
            return new Decision(Kind.WRITE, record, set, "");
        }

        static Decision keep(DnsRecord record) {
            return new Decision(Kind.KEEP, record, null, "");
        }

        static Decision refuse(String reason) {
            return new Decision(Kind.REFUSE, null, null, reason);
        }
    }
}
