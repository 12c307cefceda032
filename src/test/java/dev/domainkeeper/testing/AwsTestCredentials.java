package dev.domainkeeper.testing;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Holds the static AWS credentials every test that talks to a WireMock AWS stub signs with. */
public final class AwsTestCredentials {
    /** Access key id {@code AKIDTEST}, secret {@code secret}. */
    public static final AwsCredentialsProvider PROVIDER =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTEST", "secret"));

    private AwsTestCredentials() {}
}
