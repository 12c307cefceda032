package dev.domainkeeper.ses.aws;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.servicemetadata.EmailServiceMetadata;

/**
 * Lists the AWS regions that offer SES, from the AWS SDK's endpoint metadata for the {@code email}
 * service (the FIPS endpoint names it also lists are not regions and are left out). A domain may be
 * put only in one of them, so a made-up region never reaches SES and never gets a client of its own.
 */
public final class SesRegions {
    private static final Set<String> KNOWN = load();

    private SesRegions() {}

    /** Returns the region ids, sorted (for example {@code eu-west-1}, {@code us-east-1}). */
    public static Set<String> known() {
        return KNOWN;
    }

    private static Set<String> load() {
        TreeSet<String> ids = new TreeSet<>();
        // The email service's own metadata class: ServiceMetadata.of("email") would load the metadata of
        // every AWS service first (about 400 classes, a tenth of the start-up).
        for (Region r : new EmailServiceMetadata().regions()) {
            if (!r.id().contains("fips")) {
                ids.add(r.id());
            }
        }
        return Collections.unmodifiableSortedSet(ids);
    }
}
