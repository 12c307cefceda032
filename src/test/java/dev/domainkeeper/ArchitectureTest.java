package dev.domainkeeper;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;

/** Checks the layering of DESIGN.md §3. */
@AnalyzeClasses(packages = "dev.domainkeeper", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainDependsOnNothingOfOursNorAFramework = classes()
            .that().resideInAPackage("dev.domainkeeper.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "dev.domainkeeper.domain..", "java..", "javax.annotation..",
                    "com.google.common..", "com.ibm.icu..");

    /** The leased-job loop is infrastructure every job shares: it knows no job, store or adapter. */
    @ArchTest
    static final ArchRule jobsDependOnlyOnThePlatformLoggingAndTheModel = classes()
            .that().resideInAPackage("dev.domainkeeper.jobs..")
            .should().onlyDependOnClassesThat().resideInAnyPackage(
                    "dev.domainkeeper.jobs..", "dev.domainkeeper.domain..", "java..", "org.slf4j..");

    @ArchTest
    static final ArchRule protoTypesStayInApi = noClasses()
            .that().resideOutsideOfPackages("dev.domainkeeper.api..", "dev.domainkeeper.proto..")
            .should().dependOnClassesThat().resideInAPackage("dev.domainkeeper.proto..");

    @ArchTest
    static final ArchRule adaptersDoNotDependOnEachOther = SlicesRuleDefinition.slices()
            .assignedFrom(new AdapterSlices())
            .should().notDependOnEachOther();

    @ArchTest
    static final ArchRule adaptersDoNotDependOnUseCasesOrServer = noClasses()
            .that().resideInAnyPackage("dev.domainkeeper.ses..", "dev.domainkeeper.dns..",
                    "dev.domainkeeper.provider..", "dev.domainkeeper.store..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.domainkeeper.app..",
                    "dev.domainkeeper.api..", "dev.domainkeeper.server..", "dev.domainkeeper.cli..");

    /** Puts each adapter package (ses.aws, ses.sandbox, dns.resolver, provider.route53, store) in its own slice. */
    static final class AdapterSlices implements com.tngtech.archunit.library.dependencies.SliceAssignment {
        @Override
        public com.tngtech.archunit.library.dependencies.SliceIdentifier getIdentifierOf(
                com.tngtech.archunit.core.domain.JavaClass c) {
            String p = c.getPackageName();
            for (String adapter : new String[] {"dev.domainkeeper.ses.aws", "dev.domainkeeper.ses.sandbox",
                    "dev.domainkeeper.dns.resolver", "dev.domainkeeper.provider.route53", "dev.domainkeeper.store"}) {
                if (p.equals(adapter) || p.startsWith(adapter + ".")) {
                    return com.tngtech.archunit.library.dependencies.SliceIdentifier.of(adapter);
                }
            }
            return com.tngtech.archunit.library.dependencies.SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "adapter packages";
        }
    }
}
