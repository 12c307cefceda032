package dev.domainkeeper.store;

/** Signals that an insert hit a unique constraint (for example a domain name already held). */
public final class DuplicateKeyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DuplicateKeyException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Returns true when {@code e} (or a cause) is a unique-constraint violation on SQLite or PostgreSQL. */
    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql) {
                if ("23505".equals(sql.getSQLState())
                        || sql.getMessage() != null && sql.getMessage().contains("UNIQUE constraint failed")
                        || sql.getMessage() != null && sql.getMessage().contains("PRIMARY KEY constraint failed")) {
                    return true;
                }
            }
        }
        return false;
    }
}
