package dev.domainkeeper.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import dev.domainkeeper.proto.domains.v1.DMARCPolicyType;
import dev.domainkeeper.proto.domains.v1.Domain;
import dev.domainkeeper.proto.domains.v1.DomainsServiceGrpc;
import dev.domainkeeper.proto.domains.v1.GetDomainResponse;
import io.grpc.MethodDescriptor.Marshaller;
import io.grpc.protobuf.ProtoUtils;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A message sent again as the same instance is written once, and its copies are the same bytes. */
class ReusedJsonTest {
    private static final Marshaller<GetDomainResponse> MARSHALLER =
            ProtoUtils.marshaller(GetDomainResponse.getDefaultInstance());

    private final AtomicInteger writes = new AtomicInteger();
    private final GrpcJsonMarshaller json = new CountingJson(
            GrpcJsonMarshaller.builder()
                    .jsonMarshallerCustomizer(m -> m.preservingProtoFieldNames(true)
                            .includingDefaultValueFields(true)
                            .omittingInsignificantWhitespace(true))
                    .build(DomainsServiceGrpc.getServiceDescriptor()),
            writes);
    private final ReusedJson reused = new ReusedJson();

    @Test
    void anAddedMessage_isWrittenOnce_andEveryCopyIsWhatTheMarshallerWrites() throws IOException {
        GetDomainResponse message = response("kept.example.com");
        reused.add(message);

        String first = write(message);
        String second = write(message);

        assertThat(writes).hasValue(1);
        assertThat(second).isEqualTo(first);
        assertThat(first).isEqualTo(direct(message)).contains("\"domain\":\"kept.example.com\"");
    }

    @Test
    void anEqualMessageThatWasNotAdded_isWrittenAsUsual() throws IOException {
        reused.add(response("same.example.com"));
        GetDomainResponse other = response("same.example.com");

        assertThat(write(other)).isEqualTo(direct(other));
        write(other);
        assertThat(writes).as("an equal message is another instance").hasValue(2);
    }

    private String write(GetDomainResponse message) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reused.write(json, MARSHALLER, message, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private String direct(GetDomainResponse message) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        json.serializeMessage(MARSHALLER, message, out);
        writes.decrementAndGet();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static GetDomainResponse response(String name) {
        return GetDomainResponse.newBuilder()
                .setDomain(Domain.newBuilder()
                        .setId("dom_0123456789abcdefghjk")
                        .setDomain(name)
                        .setDmarcPolicy(DMARCPolicyType.QUARANTINE))
                .build();
    }

    /** Counts the messages the marshaller writes. */
    private record CountingJson(GrpcJsonMarshaller real, AtomicInteger writes) implements GrpcJsonMarshaller {
        @Override
        public <T> void serializeMessage(Marshaller<T> marshaller, T message, java.io.OutputStream os)
                throws IOException {
            writes.incrementAndGet();
            real.serializeMessage(marshaller, message, os);
        }

        @Override
        public <T> T deserializeMessage(Marshaller<T> marshaller, java.io.InputStream is) throws IOException {
            return real.deserializeMessage(marshaller, is);
        }
    }
}
