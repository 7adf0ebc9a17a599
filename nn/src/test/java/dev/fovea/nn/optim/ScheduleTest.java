package dev.fovea.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.fovea.nn.TestResources;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The schedules against {@code torch.optim.lr_scheduler} ({@code scripts/fixtures/schedule_fixtures.py}):
 * the learning rate before and after each of 40 steps from a base of 0.1. PyTorch updates most
 * schedules by chained factors, we evaluate their closed forms: both in double, they agree to a
 * few roundings per step, so 1e-12 relative. ReduceLROnPlateau gets the fixture's metric: falling
 * for 10 steps, flat (within the threshold) until step 30, then falling again. Cases
 * {@code name:g} run the schedule on two parameter groups (rates 0.1 and 0.02) and give group
 * {@code g}'s rates: each group is scaled from its own base rate.
 */
class ScheduleTest {
    private static double metric(int t) {
        if (t < 10) {
            return 1.0 - 0.05 * t;
        }
        if (t < 30) {
            return 0.55 + (t % 2 == 1 ? 1e-6 : 0.0);
        }
        return 0.5 - 0.01 * (t - 30);
    }

    @TestFactory
    Stream<DynamicTest> schedulesMatchPyTorch() throws IOException {
        return TestResources.text("schedules.txt").lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(line -> {
                    String[] parts = line.split(" ");
                    double[] expected = Arrays.stream(parts, 1, parts.length).mapToDouble(Double::parseDouble)
                            .toArray();
                    return DynamicTest.dynamicTest(parts[0], () -> check(parts[0], expected));
                });
    }

    private static void check(String label, double[] expected) {
        String name = label.contains(":") ? label.substring(0, label.indexOf(':')) : label;
        int group = label.contains(":") ? Integer.parseInt(label.substring(label.indexOf(':') + 1)) : -1;
        Sgd opt = group < 0 ? new Sgd(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1)
                : Sgd.builder().lr(0.1).group(ParamGroup.of(Tensor.zeros(1).requiresGrad(true)))
                        .group(ParamGroup.of(Tensor.zeros(1).requiresGrad(true)).lr(0.02)).build();
        DoubleSupplier lr = () -> group < 0 ? opt.learningRate() : opt.groups().get(group).learningRate();
        int steps = expected.length - 1;
        if (name.equals("plateau")) {
            ReduceLrOnPlateau p = new ReduceLrOnPlateau(opt, 0.5, 3, 1e-4, 2, 0);
            assertEquals(expected[0], lr.getAsDouble(), 0);
            for (int t = 0; t < steps; t++) {
                p.step(metric(t));
                assertEquals(expected[t + 1], lr.getAsDouble(), 1e-12 * expected[t + 1], label + " step " + t);
            }
            return;
        }
        Function<Sgd, LrScheduler> make = switch (name) {
            case "step" -> o -> LrScheduler.stepLr(o, 7, 0.5);
            case "multistep" -> o -> LrScheduler.multiStepLr(o, new int[] {5, 12, 30}, 0.2);
            case "exponential" -> o -> LrScheduler.exponentialLr(o, 0.93);
            case "cosine" -> o -> LrScheduler.cosineAnnealingLr(o, 25, 0.001);
            case "linear_warmup" -> o -> LrScheduler.linearLr(o, 0.25, 1.0, 8);
            case "one_cycle" -> o -> LrScheduler.oneCycle(o, 0.5, steps + 1);
            case "one_cycle_three_phase" -> o -> LrScheduler.oneCycle(o, 0.5, steps + 1, 0.25, false, true, 25, 1e4);
            default -> throw new IllegalStateException("unknown schedule " + label);
        };
        LrScheduler s = make.apply(opt);
        DoubleSupplier last = () -> group < 0 ? s.lastLr() : s.lastLrs()[group];
        assertEquals(expected[0], last.getAsDouble(), 1e-12 * expected[0], label + " initial");
        for (int t = 1; t <= steps; t++) {
            s.step();
            assertEquals(expected[t], last.getAsDouble(), 1e-12 * Math.abs(expected[t]), label + " step " + t);
            assertEquals(lr.getAsDouble(), last.getAsDouble(), 0, label + " step " + t);
        }
    }

    @Test
    void badArgumentsAndOverrunsAreRejected() {
        Sgd opt = new Sgd(List.of(Tensor.zeros(1).requiresGrad(true)), 0.1);
        assertThrows(IllegalArgumentException.class, () -> LrScheduler.stepLr(opt, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> LrScheduler.linearLr(opt, 0, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> new ReduceLrOnPlateau(opt, 1.5, 3, 1e-4, 0, 0));
        // As PyTorch's OneCycleLR: total_steps steps are allowed (one per batch of a run), one more is not.
        LrScheduler one = LrScheduler.oneCycle(opt, 0.5, 3);
        one.step();
        one.step();
        one.step();
        assertEquals(0.5 / 25 / 1e4, one.lastLr(), 1e-18, "the step after the last batch holds the final rate");
        assertThrows(IllegalStateException.class, one::step);
    }
}
