package dev.domainkeeper.api;

import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.Submission;
import dev.domainkeeper.proto.common.v1.MessageClass;
import dev.domainkeeper.proto.domains.v1.SendTestEmailRequest;
import dev.domainkeeper.proto.domains.v1.SendTestEmailResponse;
import dev.domainkeeper.proto.domains.v1.TestEmailType;
import dev.domainkeeper.proto.submissions.v1.SubmissionStatus;
import dev.domainkeeper.testemail.TestEmailService;

/** Maps SendTestEmail and the submissions.v1 messages to and from the model. Proto types stop here. */
final class TestEmailMapper {
    private TestEmailMapper() {}

    static TestEmailService.SendCommand toCommand(SendTestEmailRequest r) {
        return new TestEmailService.SendCommand(
                r.getId(), r.getFromEmail(), r.getToEmail(), type(r.getTestType()), messageClass(r.getMessageClass()));
    }

    static SendTestEmailResponse toProto(TestEmailService.Sent sent) {
        var b = SendTestEmailResponse.newBuilder()
                .setMessageId(sent.messageId())
                .setNote(sent.note())
                .setFromEmail(sent.fromEmail())
                .setToEmail(sent.toEmail());
        if (!sent.submissionId().isEmpty()) {
            b.setSubmissionId(sent.submissionId());
        }
        return b.build();
    }

    static dev.domainkeeper.proto.submissions.v1.Submission toProto(Submission s) {
        var b = dev.domainkeeper.proto.submissions.v1.Submission.newBuilder()
                .setId(s.id())
                .setDomainId(s.domainId())
                .setFromEmail(s.fromEmail())
                .setToEmail(s.toEmail())
                .setMessageClass(MessageClass.valueOf(s.messageClass().name()))
                .setStatus(SubmissionStatus.valueOf(s.status().name()))
                .setAttempts(s.attempts())
                .setMessageId(s.messageId())
                .setError(s.error())
                .setCreatedAt(DomainMapper.timestamp(s.createdAt()))
                .setUpdatedAt(DomainMapper.timestamp(s.updatedAt()));
        if (s.status() == Submission.Status.QUEUED) {
            b.setNextAttemptAt(DomainMapper.timestamp(s.nextAttemptAt()));
        }
        return b.build();
    }

    private static dev.domainkeeper.domain.TestEmailType type(TestEmailType t) {
        return switch (t) {
            case TEST_EMAIL_TYPE_UNSPECIFIED -> null;
            case NORMAL -> dev.domainkeeper.domain.TestEmailType.NORMAL;
            case SIMULATOR_SUCCESS -> dev.domainkeeper.domain.TestEmailType.SIMULATOR_SUCCESS;
            case SIMULATOR_BOUNCE -> dev.domainkeeper.domain.TestEmailType.SIMULATOR_BOUNCE;
            case SIMULATOR_COMPLAINT -> dev.domainkeeper.domain.TestEmailType.SIMULATOR_COMPLAINT;
            case SIMULATOR_OOTO -> dev.domainkeeper.domain.TestEmailType.SIMULATOR_OOTO;
            case SIMULATOR_SUPPRESSION_LIST -> dev.domainkeeper.domain.TestEmailType.SIMULATOR_SUPPRESSION_LIST;
            case UNRECOGNIZED ->
                throw new InvalidInputException("test_type: unknown value (expected: NORMAL, "
                        + "SIMULATOR_SUCCESS, SIMULATOR_BOUNCE, SIMULATOR_COMPLAINT, SIMULATOR_OOTO or "
                        + "SIMULATOR_SUPPRESSION_LIST)");
        };
    }

    private static dev.domainkeeper.domain.MessageClass messageClass(MessageClass c) {
        return switch (c) {
            case MESSAGE_CLASS_UNSPECIFIED -> null;
            case TRANSACTIONAL -> dev.domainkeeper.domain.MessageClass.TRANSACTIONAL;
            case MARKETING -> dev.domainkeeper.domain.MessageClass.MARKETING;
            case UNRECOGNIZED ->
                throw new InvalidInputException("message_class: unknown value (expected: TRANSACTIONAL or MARKETING)");
        };
    }
}
