package dev.domainkeeper.api;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.events.EventResources;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.curioswitch.common.protobuf.json.MessageMarshaller;

/**
 * Renders the resources events carry through the API's own mappers and with the JSON options of
 * the HTTP/JSON API (proto field names, default values included), so an event's {@code data} reads
 * exactly like the matching GetDomain or GetSubmission answer.
 */
public final class EventJson implements EventResources {
    /** Built at the first event: it generates code for the messages it covers, which start-up need not wait for. */
    private final Supplier<MessageMarshaller> marshaller = Suppliers.memoize(() -> MessageMarshaller.builder()
            .register(dev.domainkeeper.proto.domains.v1.Domain.getDefaultInstance())
            .register(dev.domainkeeper.proto.submissions.v1.Submission.getDefaultInstance())
            .preservingProtoFieldNames(true)
            .includingDefaultValueFields(true)
            .build());

    @Override
    public String domain(Domain d) {
        return write(DomainMapper.toProto(d));
    }

    @Override
    public String submission(Submission s) {
        return write(TestEmailMapper.toProto(s));
    }

    private String write(com.google.protobuf.Message m) {
        try {
            return marshaller.get().writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
