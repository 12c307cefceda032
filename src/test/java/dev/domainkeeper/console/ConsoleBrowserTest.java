package dev.domainkeeper.console;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.domainkeeper.testing.Route53Stubs.changeResponse;
import static dev.domainkeeper.testing.Route53Stubs.getZone;
import static dev.domainkeeper.testing.Route53Stubs.recordPage;
import static dev.domainkeeper.testing.Route53Stubs.xml;
import static dev.domainkeeper.testing.Route53Stubs.zone;
import static dev.domainkeeper.testing.Route53Stubs.zoneList;
import static dev.domainkeeper.testing.Route53Stubs.zonesByName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.domainkeeper.domain.RecordType;
import dev.domainkeeper.testing.AwsTestCredentials;
import dev.domainkeeper.testing.Json;
import dev.domainkeeper.testing.LoopbackDnsServer;
import dev.domainkeeper.testing.MutableClock;
import dev.domainkeeper.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Master;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The console (src/main/resources/console/) in a real headless Chromium, driven by Selenium, against
 * the real service in-process with the sandbox backend and a loopback DNS server: a person signs in,
 * adds a domain, publishes its records, watches it verify and sends test emails, using nothing but
 * the page.
 *
 * <p>Needs /usr/bin/chromium and /usr/bin/chromedriver (Debian's {@code chromium chromium-driver});
 * without them the tests are skipped with a message, except under {@code CI}, where they fail.
 * Each test saves a screenshot under {@code target/console-screenshots/} when it fails, and the main
 * pages when it passes.
 */
class ConsoleBrowserTest {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    /** A little more than GetDomain's refresh window of the SES statuses (5 s per domain). */
    private static final Duration REFRESH_WINDOW = Duration.ofSeconds(6);

    @RegisterExtension
    static final LoopbackDnsServer dns = LoopbackDnsServer.start();

    @RegisterExtension
    static final WireMockExtension route53 = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"))
            .build();

    @RegisterExtension
    final AfterTestExecutionCallback screenshotOnFailure = context -> {
        if (context.getExecutionException().isPresent() && driver != null) {
            screenshot("FAILED-" + context.getRequiredTestMethod().getName());
        }
    };

    @TempDir
    static Path dir;

    static MutableClock clock;
    static TestServer server;
    static WebDriver driver;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        requireBrowser();
        clock = new MutableClock(Instant.now());
        // Background workers on (the default): the submission worker sends NORMAL test emails.
        server = TestServer.start(
                dir,
                Map.of("DOMAINKEEPER_DNS_RESOLVERS", dns.hostAndPort(), "DOMAINKEEPER_DNS_TIMEOUT_MS", "1000"),
                a -> a.withClock(clock));
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + Files.createTempDirectory(dir, "chromium-"),
                "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort()
                .build();
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, Duration.ofSeconds(15), Duration.ofMillis(100));
        // The domain page re-renders its records while it polls; a row read at that moment is retried.
        wait.ignoring(StaleElementReferenceException.class);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Skips without the browser, or fails under CI (which must run these tests). */
    static void requireBrowser() {
        boolean present = Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(CHROMEDRIVER));
        if (!present && System.getenv("CI") != null) {
            throw new AssertionError("The console's browser tests need " + CHROMIUM + " and " + CHROMEDRIVER
                    + " under CI (apt-get install chromium chromium-driver)");
        }
        assumeTrue(
                present,
                CHROMIUM + " or " + CHROMEDRIVER + " is missing; install them (apt-get install chromium "
                        + "chromium-driver) to run the console's browser tests");
    }

    @Test
    void aPersonSignsIn_addsADomain_publishesItsRecords_seesItVerify_andSendsTestEmails() {
        // "/" sends the browser to the console.
        driver.get(server.baseUrl() + "/");
        assertThat(driver.getCurrentUrl()).isEqualTo(server.baseUrl() + "/console/");
        js("sessionStorage.clear()");
        driver.navigate().refresh();

        // A wrong key is refused and not kept (typed and sent with Enter: the key field has the focus).
        WebElement keyField = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-key")));
        assertThat(driver.switchTo().activeElement()).isEqualTo(keyField);
        driver.switchTo().activeElement().sendKeys("dk_thiskeydoesnotexist00000000000000", Keys.ENTER);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("signin-error"), "not accepted"));
        assertThat(js("return sessionStorage.length")).isEqualTo(0L);
        screenshot("sign-in-wrong-key");

        signInWith(TestServer.BOOTSTRAP_KEY);
        WebElement empty = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("domains-empty")));
        assertThat(empty.getText()).contains("No domains yet").contains("Add your first domain");
        assertThat(driver.getCurrentUrl()).doesNotContain(TestServer.BOOTSTRAP_KEY);
        screenshot("domains-empty");

        // Add a domain: an invalid name first; the API's message appears next to the domain field.
        driver.findElement(By.id("add-domain-link")).click();
        WebElement name = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("f-domain")));
        assertThat(new Select(driver.findElement(By.id("f-dmarc_policy")))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("NONE");
        assertThat(new Select(driver.findElement(By.id("f-spf_mode")))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("CREATE_IF_MISSING");
        assertThat(driver.findElement(By.id("f-send_enabled")).isSelected()).isTrue();
        assertThat(driver.findElement(By.id("f-receive_enabled")).isSelected()).isFalse();
        assertThat(driver.findElement(By.id("f-dmarc_enabled")).isSelected()).isTrue();
        assertThat(driver.findElement(By.id("f-spf_value")).isDisplayed())
                .as("only with FORCE_VALUE")
                .isFalse();
        name.sendKeys("exa mple.com");
        assertThat(driver.findElement(By.id("f-mail_from_domain")).getAttribute("placeholder"))
                .isEqualTo("mail.exa mple.com");
        screenshot("add-domain");
        driver.findElement(By.id("add-submit")).click();
        WebElement domainError = wait.until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-field=domain] .field-error")));
        assertThat(domainError.getText()).startsWith("domain: ").contains("exa mple.com");
        assertThat(name.getAttribute("aria-invalid")).isEqualTo("true");
        screenshot("add-domain-invalid-name");

        name.clear();
        name.sendKeys("console.example.com");
        new Select(driver.findElement(By.id("f-dmarc_policy"))).selectByValue("QUARANTINE");
        driver.findElement(By.id("add-submit")).click();
        WebElement status = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("domain-status")));
        assertThat(status.getText()).isEqualTo("Waiting for DNS");
        wait.until(d ->
                rows().size() == 7 && rows().stream().allMatch(r -> "MISSING".equals(r.getAttribute("data-status"))));
        assertThat(driver.getCurrentUrl()).contains("#/domains/dom_");
        screenshot("domain-waiting-for-dns");

        // Read the records off the page and publish them on the loopback DNS server.
        // (One script, so the page's own re-checks cannot replace the rows while they are read.)
        @SuppressWarnings("unchecked")
        List<List<String>> shown = (List<List<String>>) js("return [...document.querySelectorAll('#records tbody tr')]"
                + ".map(r => [r.dataset.type, r.dataset.name, r.querySelector('code.value').textContent,"
                + " r.querySelector('td[data-label=Priority]').textContent])");
        assertThat(shown).hasSize(7);
        for (List<String> r : shown) {
            String type = r.get(0);
            dns.add(r.get(1), RecordType.valueOf(type), type.equals("MX") ? r.get(3) + " " + r.get(2) : r.get(2));
        }

        // "Check again" sees them all; the next status refresh from SES (sandbox) verifies the domain.
        clock.advance(REFRESH_WINDOW);
        driver.findElement(By.id("check-again")).click();
        wait.until(d -> rows().stream().allMatch(r -> "VALID".equals(r.getAttribute("data-status"))));
        wait.until(ExpectedConditions.textToBe(By.id("domain-status"), "Verified"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("polling"), "no more automatic checks"));
        assertThat(driver.findElement(By.cssSelector("[data-ses=dkim_status] .badge"))
                        .getText())
                .isEqualTo("Success");
        assertThat(driver.findElement(By.cssSelector("[data-ses=verification_status] .badge"))
                        .getText())
                .isEqualTo("Success");
        assertThat(driver.findElement(By.id("publish-off")).getText()).contains("not available");
        screenshot("domain-verified");

        // A simulator test answers with the SES message id and the note.
        WebElement simulator = driver.findElement(By.cssSelector("button[data-test-type=SIMULATOR_SUCCESS]"));
        wait.until(ExpectedConditions.elementToBeClickable(simulator)).click();
        WebElement simulated = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#test-results li[data-test-type=SIMULATOR_SUCCESS]")));
        assertThat(simulated.findElement(By.cssSelector(".message-id")).getText())
                .isNotBlank();
        assertThat(simulated.getText()).contains("success@simulator.amazonses.com");

        // A NORMAL test is queued and followed live until SENT.
        driver.findElement(By.id("f-to_email")).sendKeys("someone@example.org");
        driver.findElement(By.id("normal-send")).click();
        WebElement submission = wait.until(
                ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#test-results li.submission")));
        wait.until(d -> "SENT".equals(submission.getAttribute("data-status")));
        assertThat(submission.getText())
                .contains("someone@example.org")
                .contains("SENT")
                .contains("message id");
        screenshot("domain-test-emails");

        // The list shows the domain, verified.
        driver.findElement(By.linkText("← All domains")).click();
        WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#domains-table tr[data-domain='console.example.com']")));
        assertThat(row.getText()).contains("Verified").contains("Off");
        screenshot("domains-list");

        // Signing out forgets the key.
        driver.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-key")));
        assertThat(js("return sessionStorage.length")).isEqualTo(0L);
    }

    @Test
    void theZoneFileSnippet_parsesBackToTheSameRecords_andADomainCanBeRemoved() throws IOException {
        // A TXT value longer than 255 characters, so the snippet must split it into strings.
        String ips = IntStream.range(0, 24).mapToObj(i -> "ip4:192.0.2." + i).collect(Collectors.joining(" "));
        String spf = "v=spf1 include:amazonses.com " + ips + " ~all";
        assertThat(spf.length()).isGreaterThan(255);
        JsonNode added = Json.parse(server.http(
                                "POST",
                                "/domains",
                                TestServer.BOOTSTRAP_KEY,
                                "{\"domain\":\"zone.example.com\",\"receive_enabled\":true,"
                                        + "\"spf_mode\":\"FORCE_VALUE\","
                                        + "\"spf_value\":" + Json.quote(spf) + "}")
                        .body())
                .get("domain");
        String id = added.get("id").asText();

        driver.get(server.baseUrl() + "/console/");
        js("sessionStorage.clear()");
        driver.navigate().refresh();
        signInWith(TestServer.BOOTSTRAP_KEY);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("domains-table")));
        driver.findElement(By.linkText("zone.example.com")).click();
        wait.until(d -> rows().size() == added.get("dns_records").size()
                && !rows().get(0).getAttribute("data-status").isEmpty());

        // What "Copy all as zone file" copies is what the page shows.
        js("window.__copied = null; Object.defineProperty(navigator, 'clipboard', {configurable: true,"
                + " value: {writeText: (t) => { window.__copied = t; return Promise.resolve(); }}});");
        driver.findElement(By.id("copy-zone")).click();
        wait.until(d -> js("return window.__copied") != null);
        String copied = (String) js("return window.__copied");
        assertThat(copied).isEqualTo(js("return document.getElementById('zone-snippet').textContent"));

        List<Record> parsed = new ArrayList<>();
        try (Master master = new Master(new ByteArrayInputStream(copied.getBytes(StandardCharsets.UTF_8)))) {
            for (Record r = master.nextRecord(); r != null; r = master.nextRecord()) {
                parsed.add(r);
            }
        }
        List<String> expected = new ArrayList<>();
        for (JsonNode r : added.get("dns_records")) {
            expected.add(r.get("type").asText() + " " + r.get("name").asText().toLowerCase() + " "
                    + (r.path("priority").asInt() > 0 || r.get("type").asText().equals("MX")
                            ? r.path("priority").asInt() + " "
                            : "")
                    + r.get("value").asText() + " " + r.path("ttl").asInt(1800));
        }
        List<String> read = parsed.stream().map(ConsoleBrowserTest::describe).toList();
        assertThat(read).containsExactlyElementsOf(expected);
        assertThat(parsed)
                .filteredOn(r -> r instanceof TXTRecord t && t.getStrings().size() > 1)
                .as("the long SPF value is split into strings of at most 255 bytes")
                .hasSize(1)
                .allSatisfy(r -> assertThat(((TXTRecord) r).getStrings())
                        .allSatisfy(s -> assertThat(s).hasSizeLessThanOrEqualTo(255)));

        // The page at 320 px wide (a phone): rows become stacked cards and nothing is wider than the screen.
        driver.findElement(By.tagName("summary")).click();
        ChromeDriver chrome = (ChromeDriver) driver;
        chrome.executeCdpCommand(
                "Emulation.setDeviceMetricsOverride",
                Map.of("width", 320, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        try {
            wait.until(d -> ((Number) js("return window.innerWidth")).intValue() == 320);
            assertThat(((Number) js("return document.documentElement.scrollWidth")).intValue())
                    .as(
                            "no horizontal scrolling at 320 px; too wide: %s",
                            js("const w = document.documentElement.clientWidth;"
                                    + " return [w, ...[...document.querySelectorAll('body *')]"
                                    + ".filter(e => e.getBoundingClientRect().right > w + 0.5"
                                    + " || (e.scrollWidth > e.clientWidth + 1 && e.tagName !== 'PRE'"
                                    + " && getComputedStyle(e).overflowX === 'visible')).slice(-8)"
                                    + ".map(e => e.tagName + '#' + e.id + '.' + e.className + ' '"
                                    + " + e.scrollWidth + '/' + e.clientWidth + ' '"
                                    + " + e.textContent.slice(0, 40))]"))
                    .isLessThanOrEqualTo(((Number) js("return document.documentElement.clientWidth")).intValue());
            screenshot("domain-320px");
            js("window.scrollTo(0, 0)");
            viewportScreenshot("domain-320px-top");
        } finally {
            chrome.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
        }

        // Settings send only what changed (UpdateDomain), and the API's refusal shows by the field it names.
        WebElement report = driver.findElement(By.id("f-dmarc_report_email"));
        report.clear();
        report.sendKeys("not an address");
        driver.findElement(By.id("settings-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("settings-form"), "dmarc_report_email"));
        report = driver.findElement(By.id("f-dmarc_report_email"));
        report.clear();
        new Select(driver.findElement(By.id("f-dmarc_policy"))).selectByValue("REJECT");
        driver.findElement(By.id("settings-save")).click();
        wait.until(d -> Json.parse(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .body())
                .get("domain")
                .get("dmarc_policy")
                .asText()
                .equals("REJECT"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("settings-form"), "Saved"));
        JsonNode updated = Json.parse(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .body())
                .get("domain");
        assertThat(updated.get("dmarc_report_email").asText())
                .as("the refused change was not stored")
                .isEmpty();
        assertThat(updated.get("spf_value").asText())
                .as("fields not changed stay")
                .isEqualTo(spf);

        // Remove asks first, naming the domain.
        driver.findElement(By.id("remove-open")).click();
        WebElement dialog = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("remove-dialog")));
        assertThat(dialog.getText()).contains("Remove zone.example.com?");
        screenshot("domain-remove-confirmation");
        driver.findElement(By.id("remove-confirm")).click();
        wait.until(ExpectedConditions.or(
                ExpectedConditions.visibilityOfElementLocated(By.id("domains-table")),
                ExpectedConditions.visibilityOfElementLocated(By.id("domains-empty"))));
        assertThat(driver.findElements(By.cssSelector("tr[data-domain='zone.example.com']")))
                .isEmpty();
        assertThat(server.http("GET", "/domains/" + id, TestServer.BOOTSTRAP_KEY, null)
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void publishesToRoute53_afterADryRunPreview(@TempDir Path route53Dir) {
        String name = "r53.example.com";
        String zoneId = "ZCONSOLE";
        String rrset = "/2013-04-01/hostedzone/" + zoneId + "/rrset";
        route53.stubFor(zonesByName(name).willReturn(xml(zoneList(zone(zoneId, name + ".", false, 2)))));
        route53.stubFor(get("/2013-04-01/hostedzone/" + zoneId)
                .willReturn(
                        xml(getZone(zone(zoneId, name + ".", false, 2), "ns-1.awsdns-01.org", "ns-2.awsdns-02.com"))));
        route53.stubFor(get(urlPathEqualTo(rrset)).willReturn(xml(recordPage(null, null))));
        route53.stubFor(post(rrset + "/").willReturn(xml(changeResponse("CCONSOLE", "PENDING"))));
        try (TestServer withRoute53 = TestServer.start(
                route53Dir,
                Map.of(
                        "DOMAINKEEPER_DNS_RESOLVERS",
                        dns.hostAndPort(),
                        "DOMAINKEEPER_DNS_TIMEOUT_MS",
                        "1000",
                        "DOMAINKEEPER_ROUTE53_ENDPOINT",
                        route53.baseUrl(),
                        "DOMAINKEEPER_BACKGROUND_WORKERS",
                        "false"),
                a -> a.withAwsCredentials(AwsTestCredentials.PROVIDER))) {
            withRoute53.grantZones("default", zoneId); // The operator lets the bootstrap account use the zone.
            String id = Json.parse(withRoute53
                            .http("POST", "/domains", TestServer.BOOTSTRAP_KEY, "{\"domain\":\"" + name + "\"}")
                            .body())
                    .get("domain")
                    .get("id")
                    .asText();
            driver.get(withRoute53.baseUrl() + "/console/");
            signInWith(TestServer.BOOTSTRAP_KEY);
            wait.until(ExpectedConditions.elementToBeClickable(By.linkText(name)))
                    .click();

            wait.until(ExpectedConditions.elementToBeClickable(By.id("publish-preview-button")))
                    .click();
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("publish-changes")));
            List<WebElement> changes = driver.findElements(By.cssSelector("#publish-changes tbody tr"));
            assertThat(changes)
                    .isNotEmpty()
                    .allSatisfy(r -> assertThat(r.getText()).startsWith("UPSERT"));
            assertThat(route53.findAll(postRequestedFor(urlPathEqualTo(rrset + "/"))))
                    .as("a dry run sends nothing")
                    .isEmpty();
            screenshot("domain-route53-preview");

            driver.findElement(By.id("publish-apply")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("publish-result"), "APPLYING"));
            assertThat(driver.findElement(By.id("publish-result")).getText()).contains("CCONSOLE");
            assertThat(route53.findAll(postRequestedFor(urlPathEqualTo(rrset + "/"))))
                    .hasSize(1);
            screenshot("domain-route53-applied");
        }
    }

    @Test
    void consoleFiles_comeFromTheJar_andNeedNothingFromTheInternet() throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> root = http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("location")).hasValue("/console/");
        for (String file : List.of("", "app.js", "api.js", "zone.js", "status.js", "console.css")) {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(server.baseUrl() + "/console/" + file))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(file).isEqualTo(200);
            assertThat(r.body())
                    .as(file + " loads nothing from elsewhere")
                    .doesNotContainPattern("(?i)(src|href)=\"(https?:)?//")
                    .doesNotContainPattern("from\\s+'https?:")
                    .doesNotContain("console.log");
        }
    }

    // ---- helpers ----

    private static String describe(Record r) {
        String name = r.getName().toString(true).toLowerCase();
        String data = switch (r.getType()) {
            case Type.CNAME -> ((CNAMERecord) r).getTarget().toString(true);
            case Type.MX ->
                ((MXRecord) r).getPriority() + " " + ((MXRecord) r).getTarget().toString(true);
            case Type.TXT -> String.join("", ((TXTRecord) r).getStrings());
            default -> r.rdataToString();
        };
        return Type.string(r.getType()) + " " + name + " " + data + " " + r.getTTL();
    }

    private static void signInWith(String key) {
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("signin-key")));
        input.clear();
        input.sendKeys(key);
        driver.findElement(By.id("signin-submit")).click();
    }

    private static List<WebElement> rows() {
        return driver.findElements(By.cssSelector("#records tbody tr"));
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    /** Saves the whole page (not only the window) as {@code target/console-screenshots/<name>.png}. */
    private static void screenshot(String name) {
        Path target = SCREENSHOTS.resolve(name + ".png");
        try {
            try {
                ChromeDriver chrome = (ChromeDriver) driver;
                @SuppressWarnings("unchecked")
                Map<String, Object> size =
                        (Map<String, Object>) chrome.executeCdpCommand("Page.getLayoutMetrics", Map.of())
                                .get("cssContentSize");
                Map<String, Object> clip = Map.of(
                        "x",
                        0,
                        "y",
                        0,
                        "scale",
                        1,
                        "width",
                        ((Number) size.get("width")).doubleValue(),
                        "height",
                        ((Number) size.get("height")).doubleValue());
                String data = (String) chrome.executeCdpCommand(
                                "Page.captureScreenshot",
                                Map.of("format", "png", "captureBeyondViewport", true, "clip", clip))
                        .get("data");
                Files.write(target, Base64.getDecoder().decode(data));
            } catch (RuntimeException cdpUnavailable) {
                viewportScreenshot(name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Saves what the window shows as {@code target/console-screenshots/<name>.png}. */
    private static void viewportScreenshot(String name) {
        try {
            Path png =
                    ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(png, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
