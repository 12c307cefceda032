package dev.domainkeeper.api;

import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionResponse;
import dev.domainkeeper.proto.submissions.v1.SubmissionsServiceGrpc;
import io.grpc.stub.StreamObserver;

/** Serves submissions.v1.SubmissionsService. */
final class SubmissionsApi extends SubmissionsServiceGrpc.SubmissionsServiceImplBase {

    @Override
    public void getSubmission(GetSubmissionRequest request, StreamObserver<GetSubmissionResponse> out) {
        throw new UnsupportedOperationException("GetSubmission (test emails, issue #6) is not implemented yet");
    }
}
