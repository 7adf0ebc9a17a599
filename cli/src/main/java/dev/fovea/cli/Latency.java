package dev.fovea.cli;

import java.util.Arrays;
import java.util.Locale;

/**
 * Latency statistics of timed runs, in milliseconds. Percentiles are nearest-rank: the p-th is
 * the smallest time that at least p% of the runs did not exceed, always one of the measured times.
 *
 * @param runs the number of runs
 * @param min the fastest run
 * @param p50 the median (nearest rank)
 * @param p90 the 90th percentile
 * @param p99 the 99th percentile
 * @param max the slowest run
 * @param mean the mean
 */
record Latency(int runs, double min, double p50, double p90, double p99, double max, double mean) {
    /**
     * The statistics of runs that took {@code nanos} nanoseconds each.
     *
     * @throws IllegalArgumentException if there are no runs
     */
    static Latency of(long[] nanos) {
        if (nanos.length == 0) {
            throw new IllegalArgumentException("Latency.of: no runs");
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (long n : sorted) {
            sum += n;
        }
        return new Latency(sorted.length, ms(sorted[0]), ms(percentile(sorted, 50)), ms(percentile(sorted, 90)),
                ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]), sum / sorted.length / 1e6);
    }

    /** The nearest-rank {@code p}-th percentile of ascending {@code sorted}: element {@code ceil(p/100 * n) - 1}. */
    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** Runs per second at the mean latency. */
    double runsPerSecond() {
        return 1000 / mean;
    }

    /** {@code min 0.412  p50 0.430  p90 0.470  p99 0.601  max 0.640  mean 0.441 ms}. */
    String format() {
        return String.format(Locale.ROOT, "min %s  p50 %s  p90 %s  p99 %s  max %s  mean %s ms", fmt(min), fmt(p50),
                fmt(p90), fmt(p99), fmt(max), fmt(mean));
    }

    /** Three decimals below 10 ms, then one: as many digits as run-to-run noise leaves meaningful. */
    private static String fmt(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.3f" : "%.1f", ms);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
