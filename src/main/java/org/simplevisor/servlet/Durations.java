package org.simplevisor.servlet;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Parses the durations of the configuration: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, combinations as in
 * Go ({@code 1h30m}, {@code 1.5s}), units {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s},
 * {@code m}, {@code h}, {@code d}, a bare {@code 0}, and ISO-8601 ({@code PT5S}, {@code P1D}). A leading {@code -}
 * gives a negative duration, which the caller rejects with its own message; a sign anywhere else (ISO-8601's
 * {@code PT-5S}, {@code P1DT-24H}) is refused, as is a fraction of a nanosecond ({@code 0.5ns}), which would
 * otherwise be cut to a shorter duration than written, even zero.
 */
final class Durations {

    /** What a duration looks like, for error messages. */
    static final String FORMAT = "use e.g. 500ms, 5s, 2m, 1h or ISO-8601 such as PT5S";

    // Microseconds as Go spells them: us, or µs with the micro sign (U+00B5) or the Greek small mu (U+03BC).
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h|d)");
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private Durations() {
    }

    /**
     * {@return the duration}
     *
     * @param text the configured value
     * @throws IllegalArgumentException with a message that says what is wrong, if {@code text} is not a duration
     */
    static Duration parse(@Nullable String text) {
        if (text == null) {
            throw new IllegalArgumentException("not a duration; " + FORMAT);
        }
        String value = text.trim();
        boolean negative = value.startsWith("-");
        String body = negative || value.startsWith("+") ? value.substring(1) : value;
        if (body.isEmpty()) {
            throw new IllegalArgumentException("not a duration; " + FORMAT);
        }
        if (body.charAt(0) == 'P' || body.charAt(0) == 'p') {
            if (body.indexOf('-') >= 0 || body.indexOf('+') >= 0) { // -PT-5S would be 5 s, P1DT-24H zero
                throw new IllegalArgumentException("a sign may only lead the duration; " + FORMAT);
            }
            Duration iso;
            try {
                iso = Duration.parse(body.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration; " + FORMAT);
            }
            return negative ? iso.negated() : iso;
        }
        if (body.equals("0")) {
            return Duration.ZERO;
        }
        Matcher part = PART.matcher(body.toLowerCase(Locale.ROOT));
        BigDecimal nanos = BigDecimal.ZERO;
        int at = 0;
        while (at < body.length()) {
            if (!part.find(at) || part.start() != at) {
                throw new IllegalArgumentException("not a duration; " + FORMAT);
            }
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(BigDecimal.valueOf(nanosPer(part.group(2)))));
            at = part.end();
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("a duration is a whole number of nanoseconds; " + FORMAT);
        }
        BigInteger whole = nanos.toBigInteger();
        if (whole.compareTo(MAX_NANOS) > 0) {
            throw new IllegalArgumentException("too long; at most " + Duration.ofNanos(Long.MAX_VALUE));
        }
        Duration duration = Duration.ofNanos(whole.longValue());
        return negative ? duration.negated() : duration;
    }

    private static long nanosPer(String unit) {
        switch (unit) {
            case "ns":
                return 1L;
            case "us":
            case "\u00b5s":
            case "\u03bcs":
                return 1_000L;
            case "ms":
                return 1_000_000L;
            case "s":
                return 1_000_000_000L;
            case "m":
                return 60_000_000_000L;
            case "h":
                return 3_600_000_000_000L;
            default: // d
                return 86_400_000_000_000L;
        }
    }
}
