package dev.domainkeeper.api;

import io.grpc.Context;

/** Holds the authenticated account of the current call. */
final class Caller {
    static final Context.Key<String> ACCOUNT_ID = Context.key("domainkeeper-account-id");

    private Caller() {}

    /** Returns the account id the {@link AuthInterceptor} put in the context. */
    static String accountId() {
        String id = ACCOUNT_ID.get();
        if (id == null) {
            throw new IllegalStateException("no authenticated account in the call context");
        }
        return id;
    }
}
