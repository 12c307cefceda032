package dev.domainkeeper.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.matching.RequestPatternBuilder;
import java.math.BigDecimal;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Builds WireMock stubs in SES's wire shapes: SES v2 REST-JSON for identities and sending, SES v1
 * Query/XML for receipt rules (docs/AWS.md, "SES v2 identities", "SES v1 receipt rules", "SES errors").
 */
public final class SesStubs {
    /** The SES v2 identities collection (CreateEmailIdentity). */
    public static final String IDENTITIES = "/v2/email/identities";
    /** The SES v2 SendEmail path. */
    public static final String SEND = "/v2/email/outbound-emails";
    /** The tag key the adapter marks its identities with. */
    public static final String OWNER_TAG = "domainkeeper:domain-id";
    /** The SES v1 XML namespace. */
    public static final String QUERY_NS = "http://ses.amazonaws.com/doc/2010-12-01/";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SesStubs() {}

    // ---- SES v2 paths and requests ----

    /** Returns the path of one identity (GetEmailIdentity, DeleteEmailIdentity). */
    public static String identityPath(String domain) {
        return IDENTITIES + "/" + domain;
    }

    /** Returns the PutEmailIdentityMailFromAttributes path of one identity. */
    public static String mailFromPath(String domain) {
        return identityPath(domain) + "/mail-from";
    }

    public static MappingBuilder createIdentity() {
        return post(urlPathEqualTo(IDENTITIES));
    }

    public static MappingBuilder getIdentity(String domain) {
        return get(urlPathEqualTo(identityPath(domain)));
    }

    /** Matches GetEmailIdentity of any identity. */
    public static MappingBuilder getAnyIdentity() {
        return get(urlPathMatching(IDENTITIES + "/[^/]+"));
    }

    public static MappingBuilder deleteIdentity(String domain) {
        return delete(urlPathEqualTo(identityPath(domain)));
    }

    public static MappingBuilder putMailFrom(String domain) {
        return put(urlPathEqualTo(mailFromPath(domain)));
    }

    /** Matches PutEmailIdentityMailFromAttributes of any identity. */
    public static MappingBuilder putAnyMailFrom() {
        return put(urlPathMatching(IDENTITIES + "/[^/]+/mail-from"));
    }

    /** Matches PutEmailIdentityDkimSigningAttributes of one identity. */
    public static MappingBuilder putDkimSigning(String domain) {
        return put(urlPathEqualTo(identityPath(domain) + "/dkim/signing"));
    }

    public static MappingBuilder sendEmail() {
        return post(urlPathEqualTo(SEND));
    }

    // ---- SES v2 answers ----

    /** Returns a 200 answer with a JSON body, as SES v2 sends it. */
    public static ResponseDefinitionBuilder json(String body) {
        return okJson(body);
    }

    /** Returns the empty answer of DeleteEmailIdentity and PutEmailIdentityMailFromAttributes. */
    public static ResponseDefinitionBuilder empty() {
        return okJson("{}");
    }

    /** Returns a SendEmail answer carrying {@code messageId}. */
    public static ResponseDefinitionBuilder sent(String messageId) {
        return okJson("{\"MessageId\":\"" + messageId + "\"}");
    }

    /**
     * Returns an SES v2 error as AWS sends it: the code in {@code x-amzn-ErrorType} (where the SDK
     * reads it first) and the text in the body's {@code message}.
     */
    public static ResponseDefinitionBuilder error(int status, String type, String message) {
        return statusOnly(status, message).withHeader("x-amzn-ErrorType", type);
    }

    /** Returns a JSON error without an error type, as a front end answers when SES itself is out. */
    public static ResponseDefinitionBuilder statusOnly(int status, String message) {
        return aResponse()
                .withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"message\":\"" + message + "\"}");
    }

    /** Returns AWS's answer to a CreateEmailIdentity of a name that already has an identity. */
    public static ResponseDefinitionBuilder alreadyExists(String domain) {
        return error(400, "AlreadyExistsException", "Email identity " + domain + " already exist.");
    }

    /** Returns AWS's answer to a request about an identity it does not have. */
    public static ResponseDefinitionBuilder notFound(String domain) {
        return error(404, "NotFoundException", "Email identity " + domain + " does not exist.");
    }

    /** Returns SES's throttling answer. */
    public static ResponseDefinitionBuilder tooManyRequests(String message) {
        return error(429, "TooManyRequestsException", message);
    }

    /** Starts a CreateEmailIdentity answer: Easy DKIM pending with {@code tokens}. */
    public static Identity created(String... tokens) {
        Identity identity = new Identity();
        identity.root.put("IdentityType", "DOMAIN").put("VerifiedForSendingStatus", false);
        identity.dkimNode().put("Status", "PENDING");
        return identity.tokens(tokens);
    }

    /**
     * Starts a GetEmailIdentity answer of a domain identity whose verification and DKIM are both
     * {@code status} (verified for sending when it is SUCCESS), with tokens t1, t2, t3, no custom
     * MAIL FROM and no tags.
     */
    public static Identity identity(String status) {
        Identity identity = new Identity();
        identity.root
                .put("IdentityType", "DOMAIN")
                .put("FeedbackForwardingStatus", true)
                .put("VerifiedForSendingStatus", status.equals("SUCCESS"))
                .put("VerificationStatus", status);
        identity.dkimNode().put("Status", status);
        identity.tokens("t1", "t2", "t3");
        // What AWS sends for an identity without custom MAIL FROM (docs/AWS.md).
        identity.root.putObject("MailFromAttributes").put("BehaviorOnMxFailure", "USE_DEFAULT_VALUE");
        identity.root.putObject("Policies");
        identity.root.putArray("Tags");
        identity.root.putObject("VerificationInfo");
        return identity;
    }

    /** A CreateEmailIdentity or GetEmailIdentity answer, built field by field in SES's JSON shape. */
    public static final class Identity {
        private final ObjectNode root = MAPPER.createObjectNode();

        private Identity() {}

        private ObjectNode dkimNode() {
            if (!root.has("DkimAttributes")) {
                root.putObject("DkimAttributes")
                        .put("SigningEnabled", true)
                        .put("Status", "PENDING")
                        .putArray("Tokens");
                ObjectNode dkim = (ObjectNode) root.get("DkimAttributes");
                dkim.put("SigningAttributesOrigin", "AWS_SES")
                        .put("SigningHostedZone", "dkim.amazonses.com")
                        .put("NextSigningKeyLength", "RSA_2048_BIT")
                        .put("CurrentSigningKeyLength", "RSA_2048_BIT")
                        .put("LastKeyGenerationTimestamp", new BigDecimal("1718000000.0"));
            }
            return (ObjectNode) root.get("DkimAttributes");
        }

        public Identity verificationStatus(String status) {
            root.put("VerificationStatus", status);
            return this;
        }

        public Identity verifiedForSending(boolean verified) {
            root.put("VerifiedForSendingStatus", verified);
            return this;
        }

        public Identity dkimStatus(String status) {
            dkimNode().put("Status", status);
            return this;
        }

        public Identity tokens(String... tokens) {
            ArrayNode array = dkimNode().putArray("Tokens");
            for (String token : tokens) {
                array.add(token);
            }
            return this;
        }

        /** Sets the DKIM key lengths and when SES last generated a key pair (epoch seconds, may be fractional). */
        public Identity keyLengths(String current, String next, String lastGeneratedEpochSeconds) {
            dkimNode()
                    .put("CurrentSigningKeyLength", current)
                    .put("NextSigningKeyLength", next)
                    .put("LastKeyGenerationTimestamp", new BigDecimal(lastGeneratedEpochSeconds));
            return this;
        }

        /** Leaves out {@code SigningHostedZone}, as some SES answers do. */
        public Identity withoutSigningZone() {
            dkimNode().remove("SigningHostedZone");
            return this;
        }

        /** Leaves out {@code DkimAttributes}: an identity without DKIM. */
        public Identity withoutDkim() {
            root.remove("DkimAttributes");
            return this;
        }

        /** Gives the identity a custom MAIL FROM domain in {@code status}. */
        public Identity mailFrom(String domain, String status) {
            root.putObject("MailFromAttributes")
                    .put("MailFromDomain", domain)
                    .put("MailFromDomainStatus", status)
                    .put("BehaviorOnMxFailure", "USE_DEFAULT_VALUE");
            return this;
        }

        /** Sets what SES last found when it checked the DNS records. */
        public Identity verificationInfo(long lastCheckedEpochSeconds, String errorType) {
            root.putObject("VerificationInfo")
                    .put("LastCheckedTimestamp", new BigDecimal(lastCheckedEpochSeconds + ".0"))
                    .put("ErrorType", errorType);
            return this;
        }

        /** Adds a tag; SES returns the tags an identity was created with. */
        public Identity tag(String key, String value) {
            ArrayNode tags = root.has("Tags") ? (ArrayNode) root.get("Tags") : root.putArray("Tags");
            tags.addObject().put("Key", key).put("Value", value);
            return this;
        }

        /** Adds the tag Domainkeeper creates its identities with, naming the domain row. */
        public Identity ownerTag(String domainId) {
            return tag(OWNER_TAG, domainId);
        }

        /** Returns the answer as a 200 response. */
        public ResponseDefinitionBuilder response() {
            return okJson(toString());
        }

        @Override
        public String toString() {
            return root.toString();
        }
    }

    // ---- SES v1 receipt rules (Query protocol) ----

    /** Matches a DescribeReceiptRule call. */
    public static MappingBuilder describeReceiptRule() {
        return post(urlPathEqualTo("/")).withRequestBody(containing("Action=DescribeReceiptRule"));
    }

    /** Matches an UpdateReceiptRule call. */
    public static MappingBuilder updateReceiptRule() {
        return post(urlPathEqualTo("/")).withRequestBody(containing("Action=UpdateReceiptRule"));
    }

    /** Returns a pattern of UpdateReceiptRule requests, for verification. */
    public static RequestPatternBuilder updateReceiptRuleRequest() {
        return postRequestedFor(urlPathEqualTo("/")).withRequestBody(containing("Action=UpdateReceiptRule"));
    }

    /** Returns a 200 Query answer with an XML body. */
    public static ResponseDefinitionBuilder queryXml(String body) {
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/xml")
                .withBody(body);
    }

    /**
     * Returns a DescribeReceiptRule answer: an enabled rule requiring TLS, with spam scanning, the
     * given recipients and the given {@code <member>} elements of its Actions list.
     */
    public static String receiptRule(String name, List<String> recipients, String... actionMembers) {
        String members =
                recipients.stream().map(r -> "<member>" + r + "</member>").collect(Collectors.joining());
        return """
                <DescribeReceiptRuleResponse xmlns="%s">
                  <DescribeReceiptRuleResult>
                    <Rule><Name>%s</Name><Enabled>true</Enabled><TlsPolicy>Require</TlsPolicy>
                      <ScanEnabled>true</ScanEnabled>
                      <Recipients>%s</Recipients>
                      <Actions>%s</Actions>
                    </Rule>
                  </DescribeReceiptRuleResult>
                  <ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata>
                </DescribeReceiptRuleResponse>""".formatted(QUERY_NS, name, members, String.join("", actionMembers));
    }

    /** Returns the (empty) UpdateReceiptRule answer. */
    public static ResponseDefinitionBuilder ruleUpdated() {
        return aResponse().withStatus(200).withBody("""
                <UpdateReceiptRuleResponse xmlns="%s">
                  <UpdateReceiptRuleResult/>
                  <ResponseMetadata><RequestId>r4</RequestId></ResponseMetadata>
                </UpdateReceiptRuleResponse>""".formatted(QUERY_NS));
    }

    /** Returns an SES v1 (Query protocol) error as AWS sends it: HTTP 400 and an XML ErrorResponse. */
    public static ResponseDefinitionBuilder queryError(String code, String message) {
        return aResponse()
                .withStatus(400)
                .withHeader("Content-Type", "text/xml")
                .withBody("""
                <ErrorResponse xmlns="%s">
                  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
                  <RequestId>r2</RequestId>
                </ErrorResponse>""".formatted(QUERY_NS, code, message));
    }
}
