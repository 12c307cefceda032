package dev.domainkeeper.events;

import dev.domainkeeper.domain.Domain;
import dev.domainkeeper.domain.Submission;

/**
 * Renders the resources an event carries exactly as the API returns them (proto field names,
 * default values included), each as one JSON object. The API's mappers implement it; the wiring
 * hands it to the {@link EventRecorder}, so events never drift from the API's shape.
 */
public interface EventResources {
    /** Returns the domain as GetDomain returns it (without a DNS validation snapshot), as a JSON object. */
    String domain(Domain d);

    /** Returns the submission as GetSubmission returns it, as a JSON object. */
    String submission(Submission s);
}
