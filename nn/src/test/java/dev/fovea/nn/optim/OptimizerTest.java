package dev.fovea.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.TestResources;
import dev.fovea.tensor.Tensor;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link Sgd}, {@link Adam}, {@link RmsProp} and {@link Adagrad} against {@code torch.optim}
 * ({@code scripts/fixtures/optim_fixtures.py}):
 * five steps from the same parameters with the same given gradients, every parameter after every
 * step. Both sides compute in float32 with the same formulas, in possibly different association
 * (PyTorch's fused addcmul/addcdiv against our separate ops): a few roundings of each update,
 * which the bound of 1e-6 relative (16 float ulps) plus 1e-8 absolute covers five steps over.
 * The parameter-group cases put {@code w} in group 0 and {@code b} in group 1 with its own
 * hyperparameters ({@code g1.*}), built with the builders; some also step a schedule, whose rates
 * (closed forms against PyTorch's chained products, both in double) differ by about 1e-16
 * relative before the cast to float, far inside the same bound.
 */
class OptimizerTest {
    @TestFactory
    Stream<DynamicTest> stepsMatchTorchOptim() throws IOException {
        return TestResources.text("optim/cases.txt").lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(OptimizerTest::parse).filter(c -> c.containsKey("optimizer")).map(c -> DynamicTest.dynamicTest(c.get("name"), () -> check(c)));
    }

    static Map<String, String> parse(String line) {
        Map<String, String> m = new HashMap<>();
        for (String kv : line.split(" ")) {
            int eq = kv.indexOf('=');
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }

    private static double num(Map<String, String> c, String key, double dflt) {
        return c.containsKey(key) ? Double.parseDouble(c.get(key)) : dflt;
    }

    private static void check(Map<String, String> c) throws IOException {
        String dir = "optim/" + c.get("name") + "/";
        Tensor w = TestResources.npy(dir + "w0.npy").requiresGrad(true);
        Tensor b = TestResources.npy(dir + "b0.npy").requiresGrad(true);
        Tensor gw = TestResources.npy(dir + "gw.npy");
        Tensor gb = TestResources.npy(dir + "gb.npy");
        Tensor ws = TestResources.npy(dir + "w.npy");
        Tensor bs = TestResources.npy(dir + "b.npy");
        Optimizer opt = c.keySet().stream().anyMatch(k -> k.startsWith("g1.")) ? grouped(c, w, b) : single(c, w, b);
        LrScheduler schedule = schedule(c, opt);
        for (int t = 0; t < gw.shape()[0]; t++) {
            opt.zeroGrad();
            // d/dw sum(w * gw[t]) = gw[t] exactly: the gradients torch was given.
            w.mul(gw.select(0, t)).sum().add(b.mul(gb.select(0, t)).sum()).backward();
            opt.step();
            if (schedule != null) {
                schedule.step();
            }
            expect(c.get("name") + " step " + (t + 1) + " w", ws.select(0, t).toArray(), w.toArray());
            expect(c.get("name") + " step " + (t + 1) + " b", bs.select(0, t).toArray(), b.toArray());
        }
    }

    private static Optimizer single(Map<String, String> c, Tensor w, Tensor b) {
        double lr = num(c, "lr", 0);
        return switch (c.get("optimizer")) {
            case "sgd" -> new Sgd(List.of(w, b), lr, num(c, "momentum", 0), num(c, "dampening", 0),
                    num(c, "weight_decay", 0), flag(c, "nesterov"));
            case "adam" -> {
                String[] betas = c.getOrDefault("betas", "0.9,0.999").split(",");
                yield new Adam(List.of(w, b), lr, Double.parseDouble(betas[0]), Double.parseDouble(betas[1]),
                        num(c, "eps", 1e-8), num(c, "weight_decay", 0), false);
            }
            case "adamw" -> Adam.adamW(List.of(w, b), lr, num(c, "weight_decay", 0.01));
            case "rmsprop" -> new RmsProp(List.of(w, b), lr, num(c, "alpha", 0.99), num(c, "eps", 1e-8),
                    num(c, "weight_decay", 0), num(c, "momentum", 0), flag(c, "centered"));
            case "adagrad" -> new Adagrad(List.of(w, b), lr, num(c, "lr_decay", 0), num(c, "weight_decay", 0),
                    num(c, "initial_accumulator_value", 0), num(c, "eps", 1e-10));
            default -> throw new IllegalStateException("unknown optimizer " + c.get("optimizer"));
        };
    }

    /** The builders with PyTorch's defaults, w alone in group 0, b in group 1 with the {@code g1.*} overrides. */
    private static Optimizer grouped(Map<String, String> c, Tensor w, Tensor b) {
        ParamGroup g0 = ParamGroup.of(w);
        ParamGroup g1 = ParamGroup.of(b);
        for (Map.Entry<String, String> e : c.entrySet()) {
            if (e.getKey().equals("g1.betas")) {
                String[] betas = e.getValue().split(",");
                g1 = g1.betas(Double.parseDouble(betas[0]), Double.parseDouble(betas[1]));
            } else if (e.getKey().startsWith("g1.")) {
                Hyperparameter h = Hyperparameter.ofKey(e.getKey().substring(3));
                g1 = g1.with(h, Double.parseDouble(e.getValue()));
            }
        }
        return switch (c.get("optimizer")) {
            case "sgd" -> Sgd.builder().lr(num(c, "lr", 1e-3)).momentum(num(c, "momentum", 0))
                    .dampening(num(c, "dampening", 0)).weightDecay(num(c, "weight_decay", 0))
                    .nesterov(flag(c, "nesterov")).group(g0).group(g1).build();
            case "adam" -> Adam.builder().lr(num(c, "lr", 1e-3)).eps(num(c, "eps", 1e-8))
                    .weightDecay(num(c, "weight_decay", 0)).group(g0).group(g1).build();
            case "adamw" -> Adam.adamWBuilder().lr(num(c, "lr", 1e-3)).weightDecay(num(c, "weight_decay", 0.01))
                    .group(g0).group(g1).build();
            case "rmsprop" -> RmsProp.builder().lr(num(c, "lr", 0.01)).alpha(num(c, "alpha", 0.99))
                    .eps(num(c, "eps", 1e-8)).weightDecay(num(c, "weight_decay", 0)).momentum(num(c, "momentum", 0))
                    .centered(flag(c, "centered")).group(g0).group(g1).build();
            case "adagrad" -> Adagrad.builder().lr(num(c, "lr", 0.01)).lrDecay(num(c, "lr_decay", 0))
                    .weightDecay(num(c, "weight_decay", 0)).group(g0).group(g1).build();
            default -> throw new IllegalStateException("unknown optimizer " + c.get("optimizer"));
        };
    }

    /** {@code schedule=linear:start:end:iters} or {@code step:size:gamma}, or null. */
    private static LrScheduler schedule(Map<String, String> c, Optimizer opt) {
        if (!c.containsKey("schedule")) {
            return null;
        }
        String[] a = c.get("schedule").split(":");
        return switch (a[0]) {
            case "linear" -> LrScheduler.linearLr(opt, Double.parseDouble(a[1]), Double.parseDouble(a[2]),
                    Integer.parseInt(a[3]));
            case "step" -> LrScheduler.stepLr(opt, Integer.parseInt(a[1]), Double.parseDouble(a[2]));
            default -> throw new IllegalStateException("unknown schedule " + a[0]);
        };
    }

    private static boolean flag(Map<String, String> c, String key) {
        return Boolean.parseBoolean(c.getOrDefault(key, "False").toLowerCase());
    }

    private static void expect(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * Math.abs(expected[i]) + 1e-8, what + " [" + i + "]");
        }
    }

    @Test
    void frozenAndGradlessParametersAreSkipped() {
        Tensor a = Tensor.ones(2).requiresGrad(true);
        Tensor frozen = Tensor.ones(2).requiresGrad(true);
        Sgd sgd = new Sgd(List.of(a, frozen), 0.5);
        a.sum().backward();
        assertNull(frozen.grad());
        sgd.step();
        assertEquals(0.5f, a.toArray()[0]);
        assertEquals(1f, frozen.toArray()[0]);
        sgd.zeroGrad();
        assertTrue(a.grad() == null || a.grad().toArray()[0] == 0f);
    }

    @Test
    void badHyperparametersAreRejected() {
        List<Tensor> p = List.of(Tensor.ones(1).requiresGrad(true));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(p, -1));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(p, 0.1, 0, 0, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Adam(p, 0.1, 1.0, 0.999, 1e-8, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0.1));
    }
}
