package dev.domainkeeper.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Measures latency and throughput of HTTP requests against a running server (benchmarks only). */
final class LoadDriver {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    HttpResponse<String> get(String url, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    HttpResponse<String> post(String url, String key, String body) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("authorization", "Bearer " + key)
                        .header("content-type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    /** Returns the median latencies of two URLs measured alternately, so warm-up favours neither. */
    double[] medianMillisAlternating(String urlA, String urlB, String key, int n) throws Exception {
        for (int i = 0; i < Math.max(50, n / 2); i++) {
            get(urlA, key);
            get(urlB, key);
        }
        double[] a = new double[n];
        double[] b = new double[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            get(urlA, key);
            a[i] = (System.nanoTime() - t) / 1e6;
            t = System.nanoTime();
            get(urlB, key);
            b[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(a);
        Arrays.sort(b);
        return new double[] {a[n / 2], b[n / 2]};
    }

    /** Returns requests per second with {@code threads} concurrent clients for {@code seconds}. */
    double throughput(String url, String key, int threads, int seconds) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < end) {
            get(url, key); // Warm-up.
        }
        AtomicLong done = new AtomicLong();
        long stop = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < stop) {
                        get(url, key);
                        done.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join();
        }
        return done.get() / (double) seconds;
    }
}
