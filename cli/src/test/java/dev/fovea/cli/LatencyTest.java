package dev.fovea.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** {@link Latency}: nearest-rank percentiles. */
class LatencyTest {
    @Test
    void percentilesAreNearestRankOverTheSortedTimes() {
        Latency l = Latency.of(new long[] {5_000_000, 1_000_000, 4_000_000, 2_000_000, 3_000_000});
        assertEquals(new Latency(5, 1, 3, 5, 5, 5, 3), l);
        assertEquals(1000 / 3.0, l.runsPerSecond(), 1e-9);
        assertEquals("min 1.000  p50 3.000  p90 5.000  p99 5.000  max 5.000  mean 3.000 ms", l.format());

        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = (100 - i) * 1_000_000L;
        }
        Latency h = Latency.of(hundred);
        assertEquals(50, h.p50());
        assertEquals(90, h.p90());
        assertEquals(99, h.p99());
        assertEquals(50.5, h.mean(), 1e-9);
        assertEquals(new Latency(1, 7, 7, 7, 7, 7, 7), Latency.of(new long[] {7_000_000}));
        assertThrows(IllegalArgumentException.class, () -> Latency.of(new long[0]));
    }
}
