package dev.domainkeeper.webhooks;

import static java.util.Objects.requireNonNull;

import dev.domainkeeper.domain.InvalidInputException;
import dev.domainkeeper.domain.PublicAddresses;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides where webhooks may go: https URLs only (http too when the operator allows it), and never to
 * loopback, private, link-local, cloud metadata, unspecified or multicast addresses unless the
 * operator allows private targets. A URL is checked when it is stored and again at every delivery,
 * after its host is resolved; the delivery then connects to the very address that was checked, so a
 * name that resolves elsewhere the second time (DNS rebinding) cannot reach an internal service.
 * See docs/WEBHOOKS.md, "Safe URLs".
 */
public final class WebhookTargets {
    /** The longest URL accepted. */
    static final int MAX_URL_LENGTH = 2000;

    private final WebhookSettings settings;
    private final HostResolver resolver;

    public WebhookTargets(WebhookSettings settings, HostResolver resolver) {
        this.settings = requireNonNull(settings, "settings");
        this.resolver = requireNonNull(resolver, "resolver");
    }

    /** Where one delivery goes: the URL and the checked address to connect to. */
    public record Target(URI url, InetAddress address) {
        /** Returns the port, the scheme's default when the URL names none. */
        public int port() {
            return url.getPort() != -1 ? url.getPort() : url.getScheme().equals("https") ? 443 : 80;
        }
    }

    /**
     * Parses and checks a URL a caller gave in {@code field}, resolving its host.
     *
     * @throws InvalidInputException naming the field and what is wrong
     */
    public String checkNew(String field, String url) {
        URI parsed = parse(field, url);
        resolveChecked(parsed).orElseThrow(reason -> new InvalidInputException(field + ": " + reason));
        return parsed.toString();
    }

    /** Resolves the stored URL for a delivery; a refusal reason (for the delivery log) when it may not go there. */
    Result resolveForDelivery(String url) {
        URI parsed;
        try {
            parsed = parse("url", url);
        } catch (InvalidInputException e) {
            return Result.refused(e.getMessage());
        }
        return resolveChecked(parsed);
    }

    /** The checked target of a URL, or why it is refused. */
    record Result(Target target, String refusal) {
        static Result refused(String reason) {
            return new Result(null, reason);
        }

        <X extends RuntimeException> Target orElseThrow(java.util.function.Function<String, X> error) {
            if (target == null) {
                throw error.apply(refusal);
            }
            return target;
        }
    }

    private Result resolveChecked(URI url) {
        String host = url.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return Result.refused(
                    "the host " + host + " does not resolve (expected: a host name with a public address)");
        }
        if (addresses.isEmpty()) {
            return Result.refused("the host " + host + " has no address (expected: a host name with a public address)");
        }
        if (!settings.allowPrivate()) {
            for (InetAddress a : addresses) {
                Optional<String> why = refusal(a);
                if (why.isPresent()) {
                    return Result.refused("the host " + host + " resolves to " + a.getHostAddress() + ", " + why.get()
                            + ", where webhooks are not sent (expected: a public address; the operator may allow"
                            + " private targets with DOMAINKEEPER_WEBHOOKS_ALLOW_PRIVATE=true)");
                }
            }
        }
        return new Result(new Target(url, addresses.get(0)), null);
    }

    private URI parse(String field, String url) {
        if (url == null || url.isBlank()) {
            throw new InvalidInputException(field + ": must not be empty (expected: an https URL)");
        }
        String text = url.trim();
        if (text.length() > MAX_URL_LENGTH) {
            throw new InvalidInputException(
                    field + ": " + text.length() + " characters (expected: at most " + MAX_URL_LENGTH + ")");
        }
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidInputException(field + ": not a URL (" + e.getReason() + "; expected: an https URL)");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        boolean allowed = scheme.equals("https") || (scheme.equals("http") && settings.allowHttp());
        if (!allowed) {
            throw new InvalidInputException(field + ": the scheme " + (scheme.isEmpty() ? "(none)" : scheme)
                    + " is not allowed (expected: https"
                    + (settings.allowHttp()
                            ? " or http"
                            : "; http only where the operator sets" + " DOMAINKEEPER_WEBHOOKS_ALLOW_HTTP=true")
                    + ")");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new InvalidInputException(field + ": has no host (expected: https://host/path)");
        }
        if (u.getRawUserInfo() != null) {
            throw new InvalidInputException(field + ": must not carry a user name or password");
        }
        if (u.getRawFragment() != null) {
            throw new InvalidInputException(field + ": must not have a fragment (#...)");
        }
        return u;
    }

    /** Returns why webhooks never go to {@code a}, or empty when it is a public address. */
    static Optional<String> refusal(InetAddress a) {
        return PublicAddresses.refusal(a);
    }
}
