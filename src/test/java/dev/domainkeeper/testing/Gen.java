package dev.domainkeeper.testing;

import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Generates test inputs from a seeded {@link Random}, so a failing case can be replayed from the
 * seed printed in the assertion message. Small on purpose: property-style tests here need choices,
 * numbers, strings and bytes, nothing more.
 */
public final class Gen {
    private final long seed;
    private final Random random;

    public Gen(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    public long seed() {
        return seed;
    }

    /** Returns one of {@code values}. */
    @SafeVarargs
    public final <T> T oneOf(T... values) {
        return values[random.nextInt(values.length)];
    }

    /** Returns one of {@code values}. */
    public <T> T oneOf(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** Runs one of {@code choices}, picked with the given weights (weight, supplier, weight, supplier, ...). */
    @SuppressWarnings("unchecked")
    public <T> T weighted(Object... weightsAndChoices) {
        int total = 0;
        for (int i = 0; i < weightsAndChoices.length; i += 2) {
            total += (Integer) weightsAndChoices[i];
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < weightsAndChoices.length; i += 2) {
            pick -= (Integer) weightsAndChoices[i];
            if (pick < 0) {
                return ((Supplier<T>) weightsAndChoices[i + 1]).get();
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** Returns an int in [min, max]. */
    public int between(int min, int max) {
        return (int) (min + Math.floorMod(random.nextLong(), (long) max - min + 1));
    }

    /** Returns a string of {@code min}..{@code max} characters drawn from {@code alphabet}. */
    public String string(String alphabet, int min, int max) {
        int n = between(min, max);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Returns a string of {@code min}..{@code max} characters from the code points {@code from}..{@code to}. */
    public String chars(int from, int to, int min, int max) {
        int n = between(min, max);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append((char) between(from, to));
        }
        return sb.toString();
    }

    /** Returns {@code min}..{@code max} random bytes. */
    public byte[] bytes(int min, int max) {
        byte[] b = new byte[between(min, max)];
        random.nextBytes(b);
        return b;
    }
}
