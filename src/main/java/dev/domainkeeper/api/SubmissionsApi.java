package dev.domainkeeper.api;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.proto.submissions.v1.GetSubmissionRequest;
import dev.domainkeeper.proto.submissions.v1.GetSubmissionResponse;
import dev.domainkeeper.proto.submissions.v1.SubmissionsServiceGrpc;
import dev.domainkeeper.testemail.TestEmailService;
import io.grpc.stub.StreamObserver;

/** Serves submissions.v1.SubmissionsService. */
final class SubmissionsApi extends SubmissionsServiceGrpc.SubmissionsServiceImplBase {
    private final TestEmailService testEmails;

    SubmissionsApi(TestEmailService testEmails) {
        this.testEmails = requireNonNull(testEmails, "testEmails");
    }

    @Override
    public void getSubmission(GetSubmissionRequest request, StreamObserver<GetSubmissionResponse> out) {
        out.onNext(GetSubmissionResponse.newBuilder()
                .setSubmission(TestEmailMapper.toProto(testEmails.submission(Caller.accountId(), request.getId())))
                .build());
        out.onCompleted();
    }
}
