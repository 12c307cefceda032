package dev.domainkeeper.ses.aws;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Checks that the AWS SES adapter depends only inward: on the port and the domain, not on peers. */
class AwsSesLayeringTest {

    @Test
    void awsSesAdapter_dependsOnlyOnPortAndDomain() {
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.domainkeeper.ses.aws");

        noClasses().that().resideInAPackage("dev.domainkeeper.ses.aws..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.domainkeeper.server..", "dev.domainkeeper.api..", "dev.domainkeeper.app..",
                        "dev.domainkeeper.cli..", "dev.domainkeeper.store..", "dev.domainkeeper.dns..",
                        "dev.domainkeeper.provider..", "dev.domainkeeper.ses.sandbox..")
                .check(classes);
    }
}
