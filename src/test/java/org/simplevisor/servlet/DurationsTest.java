package org.simplevisor.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "500ms, PT0.5S", "5s, PT5S", "2m, PT2M", "1h, PT1H", "1d, PT24H", "0, PT0S", "0s, PT0S",
        "PT5S, PT5S", "pt5s, PT5S", "P1D, PT24H", "1h30m, PT1H30M", "1.5s, PT1.5S", "250us, PT0.00025S",
        "7ns, PT0.000000007S", "' 5s ', PT5S", "-1s, PT-1S", "-PT2S, PT-2S", "+3s, PT3S", "10S, PT10S",
        "1.000000001s, PT1.000000001S", "2.0ns, PT0.000000002S"
    })
    void parses(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    /** As Go's {@code time.ParseDuration}: {@code us}, the micro sign (U+00B5) or the Greek small mu (U+03BC). */
    @ParameterizedTest
    @CsvSource({"250us, PT0.00025S", "250\u00b5s, PT0.00025S", "250\u03bcs, PT0.00025S", "1ms500\u03bcs, PT0.0015S"})
    void parsesMicrosecondsInEachOfGosSpellings(String text, String expected) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "5", "5 seconds", "s", "5x", "1h 30m", "PT", "P5", "ms5", "-", "1.2.3s", "abc"})
    void rejects(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"300000d", "99999999999999999999s"})
    void rejectsWhatDoesNotFitInNanoseconds(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("too long");
    }

    /** ISO-8601's own signs: {@code -PT-5S} would be 5 s, {@code P1DT-24H} zero; only a leading sign is taken. */
    @ParameterizedTest
    @ValueSource(strings = {"PT-5S", "-PT-5S", "P1DT-24H", "PT+5S", "-PT-9223372036854775808S"})
    void rejectsASignInsideAnIsoDuration(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a sign may only lead the duration; " + Durations.FORMAT);
    }

    /** A fraction of a nanosecond would be cut off: 0.5ns would be zero, which means "at once" for a delay. */
    @ParameterizedTest
    @ValueSource(strings = {"0.5ns", "1.5ns", "0.0001us", "1.0000000001s"})
    void rejectsAFractionOfANanosecond(String text) {
        assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a duration is a whole number of nanoseconds; " + Durations.FORMAT);
    }

    @org.junit.jupiter.api.Test
    void rejectsNull() {
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
