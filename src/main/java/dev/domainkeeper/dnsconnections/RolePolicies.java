package dev.domainkeeper.dnsconnections;

/**
 * Writes the IAM policies a customer attaches to the role an ASSUME_ROLE connection uses: the trust
 * policy lets Domainkeeper's principal assume it only with the connection's external id (AWS's
 * answer to the confused-deputy problem), the permissions policy grants the Route 53 calls
 * Domainkeeper makes and nothing else.
 */
final class RolePolicies {
    private RolePolicies() {}

    /** Returns the trust policy for {@code principal} with {@code externalId}. */
    static String trustPolicy(String principal, String externalId) {
        return """
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Effect": "Allow",
                      "Principal": {"AWS": "%s"},
                      "Action": "sts:AssumeRole",
                      "Condition": {"StringEquals": {"sts:ExternalId": "%s"}}
                    }
                  ]
                }""".formatted(principal, externalId);
    }

    /** Returns the permissions policy: find zones, read and change their records, follow changes. */
    static String permissionsPolicy() {
        return """
                {
                  "Version": "2012-10-17",
                  "Statement": [
                    {
                      "Effect": "Allow",
                      "Action": ["route53:ListHostedZonesByName", "route53:GetHostedZone",
                                 "route53:ListResourceRecordSets", "route53:ChangeResourceRecordSets",
                                 "route53:GetChange"],
                      "Resource": "*"
                    }
                  ]
                }""";
    }
}
