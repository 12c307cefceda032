package dev.domainkeeper;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;

/** Checks the layering described in docs/ARCHITECTURE.md, "Layers and the rules between them". */
@AnalyzeClasses(packages = "dev.domainkeeper", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    /** The packages that talk to an outside system, each with its adapters below it. */
    static final String[] ADAPTERS = {
        "dev.domainkeeper.ses.aws",
        "dev.domainkeeper.ses.sandbox",
        "dev.domainkeeper.dns.resolver",
        "dev.domainkeeper.dnshosting.route53",
        "dev.domainkeeper.dnshosting.cloudflare",
        "dev.domainkeeper.dnshosting.rfc2136",
        "dev.domainkeeper.store"
    };
    /** The use cases, grouped by capability. */
    static final String[] CAPABILITIES = {
        "dev.domainkeeper.accounts..",
        "dev.domainkeeper.budgets..",
        "dev.domainkeeper.domains..",
        "dev.domainkeeper.validation..",
        "dev.domainkeeper.publishing..",
        "dev.domainkeeper.testemail..",
        "dev.domainkeeper.dnsconnections..",
        "dev.domainkeeper.events..",
        "dev.domainkeeper.webhooks.."
    };

    @ArchTest
    static final ArchRule domainDependsOnNothingOfOursNorAFramework = classes()
            .that()
            .resideInAPackage("dev.domainkeeper.domain..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage(
                    "dev.domainkeeper.domain..", "java..",
                    "com.google.common..", "com.ibm.icu..");

    /** The leased-job loop is infrastructure every job shares: it knows no job, store or adapter. */
    @ArchTest
    static final ArchRule jobsDependOnlyOnThePlatformLoggingAndTheModel = classes()
            .that()
            .resideInAPackage("dev.domainkeeper.jobs..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.domainkeeper.jobs..", "dev.domainkeeper.domain..", "java..", "org.slf4j..");

    @ArchTest
    static final ArchRule errorsDependOnlyOnTheJdk = classes()
            .that()
            .resideInAPackage("dev.domainkeeper.errors..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.domainkeeper.errors..", "java..");

    /** Encryption of tenants' secrets uses the JDK's ciphers only, and knows no use case or store. */
    @ArchTest
    static final ArchRule secretsDependOnlyOnTheJdkAndTheErrors = classes()
            .that()
            .resideInAPackage("dev.domainkeeper.secrets..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.domainkeeper.secrets..", "dev.domainkeeper.errors..", "java..", "javax.crypto..");

    @ArchTest
    static final ArchRule protoTypesStayInApi = noClasses()
            .that()
            .resideOutsideOfPackages("dev.domainkeeper.api..", "dev.domainkeeper.proto..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.domainkeeper.proto..");

    @ArchTest
    static final ArchRule adaptersDoNotDependOnEachOther = SlicesRuleDefinition.slices()
            .assignedFrom(new AdapterSlices())
            .should()
            .notDependOnEachOther();

    /** Adapters may implement the job loop's port (a store is a job queue), which depends on nothing of theirs. */
    @ArchTest
    static final ArchRule adaptersDependOnlyInward = noClasses()
            .that()
            .resideInAnyPackage(
                    "dev.domainkeeper.ses..",
                    "dev.domainkeeper.dns..",
                    "dev.domainkeeper.dnshosting..",
                    "dev.domainkeeper.store..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(
                    CAPABILITIES, "dev.domainkeeper.api..", "dev.domainkeeper.server..", "dev.domainkeeper.cli.."));

    @ArchTest
    static final ArchRule portsUseNoAdapterAndNoVendorTypes = noClasses()
            .that()
            .resideInAnyPackage("dev.domainkeeper.ses", "dev.domainkeeper.dns", "dev.domainkeeper.dnshosting")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "software.amazon..",
                    "org.xbill..",
                    "dev.domainkeeper.ses.aws..",
                    "dev.domainkeeper.ses.sandbox..",
                    "dev.domainkeeper.dns.resolver..",
                    "dev.domainkeeper.dnshosting.route53..",
                    "dev.domainkeeper.dnshosting.cloudflare..",
                    "dev.domainkeeper.dnshosting.rfc2136..");

    @ArchTest
    static final ArchRule capabilitiesDoNotKnowTheEdgeOrTheWiring = noClasses()
            .that()
            .resideInAnyPackage(concat(CAPABILITIES, "dev.domainkeeper.jobs.."))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.domainkeeper.api..", "dev.domainkeeper.server..", "dev.domainkeeper.cli..");

    @ArchTest
    static final ArchRule capabilitiesUseAdaptersOnlyThroughTheirPorts = noClasses()
            .that()
            .resideInAnyPackage(concat(CAPABILITIES, "dev.domainkeeper.jobs.."))
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.domainkeeper.ses.aws..",
                    "dev.domainkeeper.ses.sandbox..",
                    "dev.domainkeeper.dns.resolver..",
                    "dev.domainkeeper.dnshosting.route53..",
                    "dev.domainkeeper.dnshosting.cloudflare..",
                    "dev.domainkeeper.dnshosting.rfc2136..",
                    "software.amazon..");

    @ArchTest
    static final ArchRule theApiDoesNotReachPastTheUseCases = noClasses()
            .that()
            .resideInAPackage("dev.domainkeeper.api..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(ADAPTERS);

    private static String[] concat(String[] first, String... more) {
        String[] all = java.util.Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    /** Puts each adapter package in its own slice. */
    static final class AdapterSlices implements SliceAssignment {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            for (String adapter : ADAPTERS) {
                if (p.equals(adapter) || p.startsWith(adapter + ".")) {
                    return SliceIdentifier.of(adapter);
                }
            }
            return SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "adapter packages";
        }
    }
}
