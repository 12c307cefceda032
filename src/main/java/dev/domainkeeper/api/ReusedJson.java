package dev.domainkeeper.api;

import com.google.common.collect.MapMaker;
import com.linecorp.armeria.common.grpc.GrpcJsonMarshaller;
import io.grpc.MethodDescriptor.Marshaller;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentMap;

/**
 * The JSON of response messages that are sent again as the same instance (GetDomain's kept answers,
 * {@link GetDomainCache}): written once per instance, copied after. Writing a domain as JSON is
 * about a third of a kept answer's cost over HTTP/JSON, most of it formatting timestamps.
 *
 * <p>Messages are held weakly and compared by identity, so an entry goes when its message does, and
 * a message that was never added is written as usual.
 */
final class ReusedJson {
    /** Marks a message that was added but not written yet. */
    private static final byte[] NOT_WRITTEN = new byte[0];

    private final ConcurrentMap<Object, byte[]> written =
            new MapMaker().weakKeys().makeMap();

    /** Marks {@code message} as one that will be sent again. */
    void add(Object message) {
        written.putIfAbsent(message, NOT_WRITTEN);
    }

    /** Returns the JSON written for {@code message} (this instance), or null when none was yet. */
    byte[] written(Object message) {
        byte[] known = written.get(message);
        return known == null || known == NOT_WRITTEN ? null : known;
    }

    /** Writes {@code message} with {@code json}, or copies what it wrote for this instance before. */
    <T> void write(GrpcJsonMarshaller json, Marshaller<T> marshaller, T message, OutputStream os) throws IOException {
        byte[] known = written.get(message);
        if (known == null) {
            json.serializeMessage(marshaller, message, os);
            return;
        }
        if (known == NOT_WRITTEN) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
            json.serializeMessage(marshaller, message, out);
            known = out.toByteArray();
            written.replace(message, NOT_WRITTEN, known);
        }
        os.write(known);
    }
}
