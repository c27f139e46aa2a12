package org.simplevisor.example.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.simplevisor.example.e2e.SoakSamples.Sample;
import org.simplevisor.example.e2e.SoakSamples.Tolerance;

/** The soak test's verdict on its samples: what counts as flat. */
class SoakSamplesTest {

    static final List<Tolerance> THREADS_PLUS_3 = List.of(new Tolerance("threads", Sample::threads, 3, 0));
    static final List<Tolerance> HEAP_10_MIB_OR_20_PERCENT = List.of(
            new Tolerance("heap", Sample::heapUsedBytes, 10 * SoakSamples.MIB, 0.20));

    @Test
    void warmUpSamplesAreLeftOutAndTheBaselineAndLastWindowsDoNotOverlap() {
        SoakSamples samples = samplesOfThreads(2, 90, 90, 40, 40, 40, 41, 42, 43, 44, 45);

        assertThat(samples.afterWarmUp()).hasSize(8);
        assertThat(samples.baseline()).extracting(Sample::threads).containsExactly(40L, 40L, 40L, 41L);
        assertThat(samples.last()).extracting(Sample::threads).containsExactly(42L, 43L, 44L, 45L);
    }

    @Test
    void oneOutlierDoesNotMoveTheMedianButASteadyRiseFails() {
        assertThat(samplesOfThreads(0, 40, 40, 40, 40, 40, 40, 40, 40, 40, 90).violations(THREADS_PLUS_3)).isEmpty();

        assertThat(samplesOfThreads(0, 40, 40, 40, 40, 40, 44, 44, 44, 44, 44).violations(THREADS_PLUS_3))
                .containsExactly("threads: 44 at the end > 43 (baseline 40)");
    }

    @Test
    void heapMayRiseByTenMebibytesOrTwentyPercentWhicheverIsMore() {
        Tolerance heap = HEAP_10_MIB_OR_20_PERCENT.get(0);
        assertThat(heap.limit(20 * SoakSamples.MIB)).isEqualTo(30 * SoakSamples.MIB);
        assertThat(heap.limit(100 * SoakSamples.MIB)).isEqualTo(120 * SoakSamples.MIB);
    }

    @Test
    void tooFewSamplesAfterTheWarmUpAreAnErrorNotAPass() {
        assertThatThrownBy(() -> samplesOfThreads(9, 40, 40, 40).violations(THREADS_PLUS_3))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("too few samples");
    }

    @Test
    void theTableHasARowPerSampleAndMarksTheWarmUp() {
        String table = samplesOfThreads(1, 40, 41, 42).table();

        assertThat(table.lines()).hasSize(2 + 3);
        assertThat(table).contains("| 0 (warm-up) |").contains("| 2 | ");
    }

    /** Samples a second apart with these thread counts; the first {@code warmUpSeconds} are the warm-up. */
    private static SoakSamples samplesOfThreads(int warmUpSeconds, long... threads) {
        SoakSamples samples = new SoakSamples(Duration.ofSeconds(warmUpSeconds));
        for (int i = 0; i < threads.length; i++) {
            samples.add(new Sample(Duration.ofSeconds(i), 12 * SoakSamples.MIB, threads[i], 57, i, 10L * i, i / 3));
        }
        return samples;
    }
}
