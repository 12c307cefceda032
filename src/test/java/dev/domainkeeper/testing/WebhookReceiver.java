package dev.domainkeeper.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Receives webhooks on a loopback port like a customer's endpoint would: records every request
 * (headers with lower-case names, and the body) and answers the status its rule gives for the n-th
 * request (from 1), 200 by default.
 */
public final class WebhookReceiver implements AutoCloseable {
    /** One request as received. */
    public record Received(Map<String, List<String>> headers, String body) {
        public String header(String name) {
            List<String> v = headers.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile IntUnaryOperator status = n -> 200;

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    /** Starts a receiver on a free port of 127.0.0.1. */
    public static WebhookReceiver start() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            WebhookReceiver r = new WebhookReceiver(s);
            s.createContext("/", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Map<String, List<String>> headers = new TreeMap<>();
                exchange.getRequestHeaders()
                        .forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), new ArrayList<>(v)));
                r.received.add(new Received(headers, new String(body, UTF_8)));
                int code = r.status.applyAsInt(r.count.incrementAndGet());
                exchange.sendResponseHeaders(code, -1);
                exchange.close();
            });
            s.setExecutor(Executors.newFixedThreadPool(8, t -> {
                Thread th = new Thread(t, "webhook-receiver");
                th.setDaemon(true);
                return th;
            }));
            s.start();
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers {@code rule.applyAsInt(n)} to the n-th request (from 1). */
    public WebhookReceiver answer(IntUnaryOperator rule) {
        this.status = rule;
        return this;
    }

    /** Returns the URL of {@code path} on this receiver. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Returns every request received so far, in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
