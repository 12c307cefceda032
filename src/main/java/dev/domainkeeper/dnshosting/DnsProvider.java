package dev.domainkeeper.dnshosting;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Publishes DNS records to a customer's DNS hosting (Route 53 first) on the customer's behalf.
 *
 * <p>Every method may throw {@link ProviderUnavailableException} (try again later),
 * {@link ProviderRejectedException} (the provider refused this request for good) or
 * {@link ProviderAccessDeniedException} (the credentials do not give access). These are the app's
 * UNAVAILABLE and FAILED_PRECONDITION answers already, worded for the caller: implementations translate
 * their client's errors into them at their edge, and retry transient failures themselves first.
 */
public interface DnsProvider {

    /** Returns the provider's name as people know it, for messages: e.g. "Route 53". */
    String name();

    /**
     * Finds the public hosted zone whose name is the longest suffix of {@code domain}: the domain
     * itself or one of its parents (at least two labels). Private zones are skipped.
     *
     * @param domain a domain name, any case, with or without a trailing dot
     * @return the zone with its name servers, or empty when no public zone covers the domain
     */
    Optional<HostedZone> findZone(String domain);

    /**
     * Reads the record sets currently at {@code names} in the zone, of every type this service
     * knows ({@link dev.domainkeeper.domain.RecordType}); other types and alias records are left out.
     *
     * @param zoneId the zone's id as in {@link HostedZone#id()}
     * @param names record names, any case, with or without a trailing dot
     * @return the record sets, ordered by name as given and then as the provider lists them
     */
    List<RecordSet> readRecords(String zoneId, Collection<String> names);

    /**
     * Submits {@code changes} as one all-or-nothing batch.
     *
     * @param zoneId the zone's id as in {@link HostedZone#id()}
     * @param changes at least one change
     * @return the provider's id of the change, to pass to {@link #isInSync(String)}
     */
    String submit(String zoneId, List<RecordChange> changes);

    /**
     * Tells whether a submitted change has reached all of the provider's name servers.
     *
     * @param changeId an id returned by {@link #submit}
     */
    boolean isInSync(String changeId);

    /**
     * Checks that the credentials are valid, before any zone is read (e.g. Cloudflare's token
     * verification). Does nothing where the provider has no such call.
     *
     * @throws ProviderAccessDeniedException when the credentials are refused, saying why
     */
    default void checkAccess() {}

    /**
     * Tells whether {@link #submit} returns only once every name server serves the change (the
     * provider confirms it, or the adapter read it back), so no {@link #isInSync} polling is needed.
     */
    default boolean confirmsOnSubmit() {
        return false;
    }
}
