package dev.domainkeeper.cli;

import dev.domainkeeper.accounts.AccountService;
import dev.domainkeeper.errors.NotFoundException;
import dev.domainkeeper.server.Config;
import dev.domainkeeper.server.ConfigException;
import dev.domainkeeper.server.DomainkeeperServer;
import dev.domainkeeper.store.AccountStore;
import dev.domainkeeper.store.Database;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs the command line: {@code serve}, {@code accounts create|list|grant-zones|revoke-zones|set-quota},
 * {@code api-keys revoke}.
 */
@Command(
        name = "domainkeeper",
        mixinStandardHelpOptions = true,
        version = "domainkeeper 0.1.0",
        description = "Manages the domains you send email with through Amazon SES.",
        subcommands = {Main.Serve.class, Main.Accounts.class, Main.ApiKeys.class, WarmUp.class})
public final class Main implements Callable<Integer> {

    /** Exit code for a bad configuration value. */
    static final int EXIT_CONFIG = 2;

    private static final String SERVE = "serve";

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code. */
    public static int run(String... args) {
        if (args.length == 1 && args[0].equals(SERVE)) {
            // The service's start, the command run most and waited for: it goes straight to Serve. Building
            // picocli's model of every command cost about 0.2 s of the time to healthy, most of it loading
            // picocli's classes, which are compiled for Java 5 and so cannot go into the class-data archive.
            // Serve takes no options; `serve --help` and every other command go through picocli.
            PrintWriter err = new PrintWriter(System.err, true);
            try {
                return new Serve().call();
            } catch (RuntimeException e) {
                return reported(e, err).orElseGet(() -> {
                    e.printStackTrace(err);
                    return 1;
                });
            }
        }
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler(
                (e, cmd, parsed) -> reported(e, cmd.getErr()).orElseThrow(() -> e));
        return cl.execute(args);
    }

    /**
     * Reports a bad setting or one of the app's own errors on {@code err} in one line and returns the
     * command's exit code; returns empty for any other failure (worth its stack trace).
     */
    private static OptionalInt reported(Exception e, PrintWriter err) {
        if (e instanceof ConfigException) {
            err.println("configuration error: " + e.getMessage());
            return OptionalInt.of(EXIT_CONFIG);
        }
        if (e instanceof IllegalArgumentException || isAppError(e)) {
            err.println("error: " + e.getMessage());
            return OptionalInt.of(1);
        }
        return OptionalInt.empty();
    }

    /** Tells whether {@code e} is one of the app's own errors (or an adapter's subclass of one): worth one line. */
    private static boolean isAppError(Throwable e) {
        for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
            if (c.getPackageName().equals(NotFoundException.class.getPackageName())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    static Config config() {
        return Config.fromEnvironment(System.getenv());
    }

    static Database openDatabase(Config config) {
        return Database.open(
                config.database().url(),
                config.database().user(),
                config.database().password(),
                null);
    }

    /** Runs the service until SIGTERM or Ctrl-C. */
    @Command(name = SERVE, description = "Run the API server (gRPC, gRPC-Web and HTTP/JSON on one port).")
    static final class Serve implements Callable<Integer> {
        @Override
        public Integer call() {
            DomainkeeperServer server = DomainkeeperServer.start(config(), DomainkeeperServer.Adapters.defaults());
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "domainkeeper-shutdown"));
            server.awaitStop();
            return 0;
        }
    }

    /** Manages accounts. */
    @Command(
            name = "accounts",
            description = "Manage accounts.",
            subcommands = {
                Accounts.Create.class,
                Accounts.ListAll.class,
                GrantZones.class,
                RevokeZones.class,
                SetQuota.class
            })
    static final class Accounts {
        @Command(name = "create", description = "Create an account; prints its new API key alone on the last line.")
        static final class Create implements Callable<Integer> {
            @Parameters(paramLabel = "NAME", description = "The account name.")
            String name;

            @CommandLine.Spec
            CommandLine.Model.CommandSpec spec;

            @Override
            public Integer call() {
                try (Database db = openDatabase(config())) {
                    AccountService.NewKey key =
                            new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC()).createAccount(name);
                    PrintWriter out = spec.commandLine().getOut();
                    out.println("Created account " + name.trim() + " (" + key.accountId() + ") with API key "
                            + key.prefix() + "…; it is shown once:");
                    out.println(key.key());
                    out.flush();
                }
                return 0;
            }
        }

        @Command(
                name = "list",
                description = "List accounts, their keys, the Route 53 zones granted to them, their domain quotas and"
                        + " daily test-send limits.")
        static final class ListAll implements Callable<Integer> {
            @CommandLine.Spec
            CommandLine.Model.CommandSpec spec;

            @Override
            public Integer call() {
                Config config = config();
                try (Database db = openDatabase(config)) {
                    AccountStore store = new AccountStore(db.jdbi());
                    PrintWriter out = spec.commandLine().getOut();
                    out.printf("%-26s %-24s %-12s %s%n", "ID", "NAME", "ACTIVE KEYS", "CREATED");
                    AccountService accounts = new AccountService(store, Clock.systemUTC());
                    for (AccountStore.AccountRow a : store.listAccounts()) {
                        out.printf(
                                "%-26s %-24s %-12d %s%n",
                                a.id(), a.name(), a.activeKeys(), Instant.ofEpochMilli(a.createdAt()));
                        out.printf("    zones %s%n", accounts.zoneGrants(a.id()).describe());
                        AccountService.DomainQuota quota = accounts.domainQuota(a.id());
                        out.printf("    domains %d of %d%n", quota.held(), quota.quota());
                        out.printf(
                                "    test sends per day %s%n",
                                accounts.testSendsPerDay(a.id())
                                        .map(String::valueOf)
                                        .orElse(config.testEmails().perDay() + " (the default)"));
                        for (AccountStore.ApiKeyRow k : store.listKeys(a.id())) {
                            out.printf(
                                    "    key %s… %s%n",
                                    k.prefix(),
                                    k.revokedAt() == null
                                            ? "active"
                                            : "revoked " + Instant.ofEpochMilli(k.revokedAt()));
                        }
                    }
                    out.flush();
                }
                return 0;
            }
        }
    }

    /** What grant-zones and revoke-zones take: the account, and {@code --all} or zone ids. */
    abstract static class ZoneCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ACCOUNT_NAME", description = "The account name.")
        String account;

        @Option(names = "--all", description = "Every hosted zone of the AWS account Domainkeeper runs with.")
        boolean all;

        @Parameters(
                index = "1..*",
                arity = "0..*",
                paramLabel = "ZONE_ID",
                description = "Route 53 hosted zone ids, e.g. Z1D633PJN98FT9.")
        List<String> zoneIds = new ArrayList<>();

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        abstract AccountService.ZoneGrants change(AccountService accounts);

        abstract String done();

        @Override
        public Integer call() {
            if (all == !zoneIds.isEmpty()) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "give either --all or one or more ZONE_IDs" + (all ? ", not both" : ""));
            }
            try (Database db = openDatabase(config())) {
                AccountService.ZoneGrants grants =
                        change(new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC()));
                PrintWriter out = spec.commandLine().getOut();
                out.println(done() + "; account " + account.trim() + " may now publish to: " + grants.describe());
                out.flush();
            }
            return 0;
        }
    }

    /** Grants Route 53 hosted zones to an account. */
    @Command(
            name = "grant-zones",
            description = "Let an account publish records to Route 53 hosted zones of "
                    + "the AWS account Domainkeeper runs with: every zone (--all) or the ones named.")
    static final class GrantZones extends ZoneCommand {
        @Override
        AccountService.ZoneGrants change(AccountService accounts) {
            return accounts.grantZones(account, all, zoneIds);
        }

        @Override
        String done() {
            return all ? "Granted every hosted zone" : "Granted " + String.join(", ", zoneIds);
        }
    }

    /** Takes Route 53 hosted zones back from an account. */
    @Command(
            name = "revoke-zones",
            description = "Take Route 53 hosted zones back from an account: every grant "
                    + "(--all) or the ones named. Records already published stay.")
    static final class RevokeZones extends ZoneCommand {
        @Override
        AccountService.ZoneGrants change(AccountService accounts) {
            return accounts.revokeZones(account, all, zoneIds);
        }

        @Override
        String done() {
            return all ? "Revoked every grant" : "Revoked " + String.join(", ", zoneIds);
        }
    }

    /** Sets an account's domain quota. */
    @Command(
            name = "set-quota",
            description = "Set how many domains an account may hold (default " + AccountService.DEFAULT_DOMAIN_QUOTA
                    + "; domains it already holds beyond it stay), and how many NORMAL test emails it may send a"
                    + " day (default DOMAINKEEPER_TEST_EMAIL_PER_DAY, 200).")
    static final class SetQuota implements Callable<Integer> {
        @Parameters(paramLabel = "ACCOUNT_NAME", description = "The account name.")
        String account;

        @Option(names = "--domains", paramLabel = "N", description = "The most domains it may hold.")
        Integer domains;

        @Option(
                names = "--test-sends-per-day",
                paramLabel = "N",
                description = "The most NORMAL test emails it may send a UTC day (0 stops them).")
        Integer testSendsPerDay;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (domains == null && testSendsPerDay == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "set-quota: no quota given (expected: --domains N, --test-sends-per-day N, or both)");
            }
            try (Database db = openDatabase(config())) {
                AccountService accounts = new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC());
                PrintWriter out = spec.commandLine().getOut();
                if (testSendsPerDay != null) {
                    accounts.setTestSendsPerDay(account, testSendsPerDay);
                    out.println(
                            "Account " + account.trim() + " may send " + testSendsPerDay + " NORMAL test emails a day");
                }
                if (domains != null) {
                    AccountService.DomainQuota quota = accounts.setDomainQuota(account, domains);
                    out.println("Account " + account.trim() + " may hold " + quota.quota() + " domains (it holds "
                            + quota.held() + ")");
                }
                out.flush();
            }
            return 0;
        }
    }

    /** Manages API keys. */
    @Command(
            name = "api-keys",
            description = "Manage API keys.",
            subcommands = {ApiKeys.Revoke.class})
    static final class ApiKeys {
        @Command(name = "revoke", description = "Revoke the API key with this prefix (e.g. dk_ab12cd34).")
        static final class Revoke implements Callable<Integer> {
            @Parameters(paramLabel = "PREFIX", description = "The key prefix shown by `accounts list`.")
            String prefix;

            @CommandLine.Spec
            CommandLine.Model.CommandSpec spec;

            @Override
            public Integer call() {
                try (Database db = openDatabase(config())) {
                    new AccountService(new AccountStore(db.jdbi()), Clock.systemUTC()).revoke(prefix);
                    spec.commandLine().getOut().println("Revoked API key " + prefix.trim());
                    spec.commandLine().getOut().flush();
                }
                return 0;
            }
        }
    }
}
