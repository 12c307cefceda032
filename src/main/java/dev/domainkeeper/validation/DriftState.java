package dev.domainkeeper.validation;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.domainkeeper.domain.DnsRecord;
import dev.domainkeeper.domain.RecordPurpose;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.validation.DnsValidation.RecordCheck;
import dev.domainkeeper.validation.DnsValidation.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The drift watch's memory of one domain's records between checks, and the rule that turns a new
 * validation into drift and restore. Pure: no clock, no I/O besides its own JSON form.
 *
 * <p>The rule: a record drifts when it was seen {@link Status#VALID} at some check and a later check
 * finds it {@link Status#MISSING}, {@link Status#MISMATCH} or {@link Status#CONFLICT}; it is restored
 * when a later check finds it valid again. A record never seen valid does not drift (it was never
 * published), and an {@link Status#ERROR} (the lookup failed) changes nothing, since what is there is
 * unknown. A record that is no longer planned (the settings changed) is forgotten.
 */
record DriftState(List<Tracked> records) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The JSON form of a state with no record seen yet. */
    static final String EMPTY = "{\"records\":[]}";

    DriftState {
        records = List.copyOf(records);
    }

    /** One planned record: whether it was ever seen valid, and its drift while it lasts. */
    record Tracked(
            RecordPurpose purpose,
            RecordType type,
            String name,
            String value,
            int priority,
            int ttl,
            boolean required,
            boolean seenValid,
            Drifted drift) {

        DnsRecord record() {
            return new DnsRecord(type, name, value, priority, ttl, purpose, required);
        }

        Key key() {
            return new Key(purpose, type, name, value);
        }

        Tracked with(boolean valid, Drifted d) {
            return new Tracked(purpose, type, name, value, priority, ttl, required, valid, d);
        }

        static Tracked of(DnsRecord r) {
            return new Tracked(
                    r.purpose(), r.type(), r.name(), r.value(), r.priority(), r.ttl(), r.required(), false, null);
        }
    }

    /** What a drifted record looks like now, and since when (epoch milliseconds). */
    record Drifted(Status status, List<String> found, String message, long since) {}

    private record Key(RecordPurpose purpose, RecordType type, String name, String value) {}

    /** The outcome of applying a check: the new state, and the records that drifted or came back at it. */
    record Step(DriftState state, List<DnsHealth.Drift> drifted, List<DnsRecord> restored) {}

    /** Applies the check {@code v}, made at {@code at}, to this state. */
    Step apply(DnsValidation v, Instant at) {
        requireNonNull(v, "v");
        Map<Key, Tracked> before =
                records.stream().collect(Collectors.toMap(Tracked::key, Function.identity(), (a, b) -> a));
        List<Tracked> next = new ArrayList<>();
        List<DnsHealth.Drift> drifted = new ArrayList<>();
        List<DnsRecord> restored = new ArrayList<>();
        for (RecordCheck check : v.records()) {
            Tracked t = Optional.ofNullable(
                            before.get(Tracked.of(check.record()).key()))
                    .orElse(Tracked.of(check.record()));
            switch (check.status()) {
                case VALID -> {
                    if (t.drift() != null) {
                        restored.add(t.record());
                    }
                    t = t.with(true, null);
                }
                case MISSING, MISMATCH, CONFLICT -> {
                    if (t.seenValid()) {
                        long since = t.drift() == null
                                ? at.toEpochMilli()
                                : t.drift().since();
                        Drifted d = new Drifted(check.status(), check.foundValues(), check.message(), since);
                        if (t.drift() == null) {
                            drifted.add(drift(t.record(), d));
                        }
                        t = t.with(true, d);
                    }
                }
                case ERROR -> {
                    // Unknown: keep what was known.
                }
            }
            next.add(t);
        }
        return new Step(new DriftState(next), drifted, restored);
    }

    /** Returns the records that are drifted in this state, in plan order. */
    List<DnsHealth.Drift> drifted() {
        return records.stream()
                .filter(t -> t.drift() != null)
                .map(t -> drift(t.record(), t.drift()))
                .toList();
    }

    private static DnsHealth.Drift drift(DnsRecord r, Drifted d) {
        return new DnsHealth.Drift(r, d.status(), d.found(), d.message(), Instant.ofEpochMilli(d.since()));
    }

    /** Reads a state from its JSON form. */
    static DriftState parse(String json) {
        try {
            return JSON.readValue(json, DriftState.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored drift state is not readable: " + e.getOriginalMessage(), e);
        }
    }

    /** Returns the JSON form of this state. */
    String json() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("drift state is not serializable", e);
        }
    }
}
