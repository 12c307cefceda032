package dev.domainkeeper.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real command-line entry point in a child JVM with its own environment. */
public final class Processes {
    private Processes() {}

    /** The outcome of a finished process. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /** Runs {@code dev.domainkeeper.cli.Main} with {@code args}, the test classpath and {@code env}. */
    public static Result runMain(Map<String, String> env, Path workDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.domainkeeper.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("DOMAINKEEPER_") || k.startsWith("AWS_"));
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("process did not finish in 60 s: " + cmd);
            }
            return new Result(
                    p.exitValue(),
                    new String(out.readAllBytes(), StandardCharsets.UTF_8),
                    new String(err.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
