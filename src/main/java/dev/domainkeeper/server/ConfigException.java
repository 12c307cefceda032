package dev.domainkeeper.server;

/** Signals a configuration value that stops the service from starting. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
