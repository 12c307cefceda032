package dev.domainkeeper.provider.route53;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Checks that the DNS provider port is plain Java and the Route 53 adapter depends only inward. */
class Route53LayeringTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.domainkeeper.provider");

    @Test
    void route53Adapter_dependsOnlyOnPortAndDomain() {
        noClasses().that().resideInAPackage("dev.domainkeeper.provider.route53..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.domainkeeper.server..", "dev.domainkeeper.api..", "dev.domainkeeper.app..",
                        "dev.domainkeeper.cli..", "dev.domainkeeper.store..", "dev.domainkeeper.dns..",
                        "dev.domainkeeper.ses..")
                .check(CLASSES);
    }

    @Test
    void providerPort_usesNoAwsTypesAndNoAdapter() {
        noClasses().that().resideInAPackage("dev.domainkeeper.provider")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "software.amazon..", "dev.domainkeeper.provider.route53..")
                .check(CLASSES);
    }
}
