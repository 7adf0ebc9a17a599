package dev.fovea.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.Linear;
import dev.fovea.nn.io.Safetensors;
import dev.fovea.tensor.Tensor;
import dev.fovea.tensor.functional.Losses;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Saving and loading optimizer and scheduler state: training N steps without a break and training
 * K steps, saving, building fresh objects, loading and training N - K more give the same bits; a
 * state that does not fit is rejected with every problem listed, before anything changes.
 */
class OptimizerStateTest {
    private static final int N = 10;
    private static final int K = 4;
    private static final Tensor X = Tensor.randn(1L, 8, 4);
    private static final Tensor Y = Tensor.randn(2L, 8, 3);

    @TempDir
    Path dir;

    /** The optimizers, each with two groups (weight; bias with its own rate and no decay) and a schedule. */
    enum Kind { SGD_MOMENTUM, SGD_NESTEROV, ADAM, ADAMW, RMSPROP, ADAGRAD }

    /** A Linear(4, 3) regression on fixed data under one optimizer and scheduler. */
    private static final class Run {
        final Linear model = new Linear(4, 3);
        final Optimizer opt;
        final Scheduler sched;

        Run(Kind kind) {
            model.loadStateDict(Map.of("weight", Tensor.randn(3L, 3, 4), "bias", Tensor.randn(4L, 3)), true);
            ParamGroup weight = ParamGroup.of(model.weight());
            ParamGroup bias = ParamGroup.of(model.namedParameters().get("bias")).lr(0.02).weightDecay(0);
            opt = switch (kind) {
                case SGD_MOMENTUM -> Sgd.builder().lr(0.05).momentum(0.9).dampening(0.1).weightDecay(0.01)
                        .group(weight).group(bias.momentum(0.5)).build();
                case SGD_NESTEROV -> Sgd.builder().lr(0.05).momentum(0.9).nesterov(true).weightDecay(0.01)
                        .group(weight).group(bias).build();
                case ADAM -> Adam.builder().lr(0.01).weightDecay(0.01).group(weight).group(bias.betas(0.8, 0.99))
                        .build();
                case ADAMW -> Adam.adamWBuilder().lr(0.01).group(weight).group(bias).build();
                case RMSPROP -> RmsProp.builder().lr(0.01).momentum(0.5).centered(true).group(weight)
                        .group(bias.momentum(0)).build();
                case ADAGRAD -> Adagrad.builder().lr(0.1).lrDecay(0.01).group(weight).group(bias).build();
            };
            sched = switch (kind) {
                case SGD_MOMENTUM -> LrScheduler.linearLr(opt, 0.2, 1.0, 6);
                case SGD_NESTEROV -> LrScheduler.cosineAnnealingLr(opt, 8, 0.001);
                case ADAM -> LrScheduler.stepLr(opt, 3, 0.5);
                case ADAMW -> new ReduceLrOnPlateau(opt, 0.5, 0, 1e-4, 1, 0);
                case RMSPROP -> LrScheduler.exponentialLr(opt, 0.9);
                case ADAGRAD -> LrScheduler.oneCycle(opt, 0.2, N + 1);
            };
        }

        /** Steps {@code from} to {@code to} (exclusive) of the same training, clipped, then scheduled. */
        void train(int from, int to) {
            for (int t = from; t < to; t++) {
                opt.zeroGrad();
                Losses.mseLoss(model.call(X), Y).backward();
                GradClip.clipNorm(model.parameters(), 5.0);
                opt.step();
                switch (sched) {
                    case LrScheduler s -> s.step();
                    // Improves for 2 epochs, then flat: with patience 0 and cooldown 1 the rates are
                    // halved at steps 3 (before the break, saved mid-cooldown), 5, 7 and 9.
                    case ReduceLrOnPlateau s -> s.step(t < 2 ? 1.0 - 0.1 * t : 0.8);
                }
            }
        }

        float[] params() {
            float[] w = model.weight().toArray();
            float[] b = model.namedParameters().get("bias").toArray();
            float[] out = Arrays.copyOf(w, w.length + b.length);
            System.arraycopy(b, 0, out, w.length, b.length);
            return out;
        }

        double[] lrs() {
            return opt.groups().stream().mapToDouble(Optimizer.Group::learningRate).toArray();
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void resumedTrainingIsBitIdentical(Kind kind) throws IOException {
        Run straight = new Run(kind);
        straight.train(0, N);

        Run first = new Run(kind);
        first.train(0, K);
        Path model = dir.resolve("model.safetensors");
        Path state = dir.resolve("optim.safetensors");
        first.model.save(model);
        first.opt.save(state, first.sched);
        if (first.sched instanceof ReduceLrOnPlateau) {
            assertEquals("1", first.sched.stateDict().get("cooldown_counter"), "saved mid-cooldown");
        }

        Run resumed = new Run(kind);
        resumed.model.load(model, true);
        resumed.opt.load(state, resumed.sched);
        assertArrayEquals(first.lrs(), resumed.lrs(), kind + " rates after loading");
        assertEquals(first.sched.stateDict(), resumed.sched.stateDict(), kind + " scheduler after loading");
        resumed.train(K, N);
        assertArrayEquals(straight.params(), resumed.params(), kind + " parameters");
        assertArrayEquals(straight.lrs(), resumed.lrs(), kind + " rates");
        assertEquals(N, resumed.opt.stepCount(0));

        // Without the optimizer's state the same steps go elsewhere: the state matters.
        Run fresh = new Run(kind);
        fresh.model.load(model, true);
        fresh.train(K, N);
        assertFalse(Arrays.equals(straight.params(), fresh.params()), kind + " without state");
    }

    @Test
    void stateDictFollowsPyTorchsLayout() {
        Run run = new Run(Kind.RMSPROP);
        run.train(0, 2);
        Safetensors.Contents c = run.opt.stateDict();
        assertEquals(Set.of("state.0.square_avg", "state.0.grad_avg", "state.0.momentum_buffer",
                "state.1.square_avg", "state.1.grad_avg"), c.tensors().keySet());
        Map<String, String> m = c.metadata();
        assertEquals("RmsProp(centered=true)", m.get("optimizer"));
        assertEquals("2", m.get("param_groups"));
        assertEquals("0", m.get("param_groups.0.params"));
        assertEquals("1", m.get("param_groups.1.params"));
        assertEquals("0.5", m.get("param_groups.0.momentum"));
        assertEquals("0.0", m.get("param_groups.1.momentum"));
        assertEquals(Double.toString(0.02 * 0.9 * 0.9), m.get("param_groups.1.lr"));
        assertEquals("2", m.get("state.0.step"));
        assertEquals(Map.of("kind", "ExponentialLR(gamma=0.9)", "last_epoch", "2", "base_lrs", "0.01,0.02"),
                run.sched.stateDict());
    }

    @Test
    void loadStateDictCopiesTheBuffers() {
        Run a = new Run(Kind.ADAM);
        a.train(0, 3);
        Run b = new Run(Kind.ADAM);
        b.opt.loadStateDict(a.opt.stateDict());
        float[] before = a.opt.stateDict().tensors().get("state.0.exp_avg").toArray();
        b.train(3, 5);
        assertArrayEquals(before, a.opt.stateDict().tensors().get("state.0.exp_avg").toArray());
        assertEquals(5, b.opt.stepCount(0));
        assertEquals(3, a.opt.stepCount(0));
    }

    @Test
    void wrongTypeCountAndShapesAreAllListed() throws IOException {
        Tensor w = Tensor.randn(5L, 3, 4).requiresGrad(true);
        Tensor b = Tensor.randn(6L, 3).requiresGrad(true);
        Adam adam = new Adam(List.of(w, b), 0.01);
        w.sum().add(b.sum()).backward();
        adam.step();
        Path file = dir.resolve("adam.safetensors");
        adam.save(file);

        Sgd sgd = new Sgd(List.of(w, b), 0.1, 0.9, 0, 0, false);
        String type = message(() -> sgd.load(file));
        assertTrue(type.contains("saved by Adam, this optimizer is Sgd(nesterov=false)"), type);

        Adam fewer = new Adam(List.of(w), 0.01);
        String count = message(() -> fewer.load(file));
        assertTrue(count.contains("saved state has 2 parameters, this optimizer has 1"), count);

        Adam transposed = new Adam(List.of(Tensor.zeros(4, 3).requiresGrad(true), Tensor.zeros(2).requiresGrad(true)),
                0.5);
        String shapes = message(() -> transposed.load(file));
        assertTrue(shapes.contains("4 problems"), shapes);
        assertTrue(shapes.contains("state.0.exp_avg: shape [3, 4], parameter 0 has [4, 3]"), shapes);
        assertTrue(shapes.contains("state.1.exp_avg_sq: shape [3], parameter 1 has [2]"), shapes);
        assertEquals(0.5, transposed.learningRate(), "nothing changes when loading fails");

        Adam w2 = Adam.builder().group(ParamGroup.of(w)).group(ParamGroup.of(b)).build();
        String groups = message(() -> w2.load(file));
        assertTrue(groups.contains("saved state has 1 parameter groups, this optimizer has 2"), groups);
    }

    @Test
    void missingAndBadEntriesAreListed() {
        Run run = new Run(Kind.ADAM);
        run.train(0, 2);
        Safetensors.Contents c = run.opt.stateDict();
        Map<String, Tensor> tensors = new LinkedHashMap<>(c.tensors());
        tensors.remove("state.1.exp_avg_sq");
        tensors.put("state.7.exp_avg", Tensor.zeros(1));
        Map<String, String> meta = new LinkedHashMap<>(c.metadata());
        meta.put("param_groups.0.beta1", "1.5");
        meta.put("param_groups.0.lr", "fast");
        Run other = new Run(Kind.ADAM);
        String msg = message(() -> other.opt.loadStateDict(new Safetensors.Contents(tensors, meta)));
        assertTrue(msg.contains("4 problems"), msg);
        assertTrue(msg.contains("param_groups.0.lr: not a number: 'fast'"), msg);
        assertTrue(msg.contains("param_groups.0.beta1 must be in"), msg);
        assertTrue(msg.contains("state.7.exp_avg: no parameter 7, this optimizer has 2"), msg);
        assertTrue(msg.contains("no tensor 'state.1.exp_avg_sq'"), msg);
        assertEquals(0, other.opt.stepCount(0));

        String model = message(() -> other.opt.loadStateDict(new Safetensors.Contents(run.model.stateDict(),
                Map.of())));
        assertTrue(model.contains("not an optimizer's state"), model);
    }

    @Test
    void schedulerStateMustMatch() throws IOException {
        Run run = new Run(Kind.ADAM);
        run.train(0, 4);
        Path file = dir.resolve("s.safetensors");
        run.opt.save(file, run.sched);
        Run other = new Run(Kind.ADAM);
        LrScheduler cosine = LrScheduler.cosineAnnealingLr(other.opt, 5, 0);
        String msg = message(() -> other.opt.load(file, cosine));
        assertTrue(msg.contains("scheduler 0: saved a StepLR(step_size=3, gamma=0.5), this is a"
                + " CosineAnnealingLR(T_max=5, eta_min=0.0)"), msg);
        assertEquals(0, other.opt.stepCount(0), "the optimizer is not loaded either");

        Run plain = new Run(Kind.ADAM);
        plain.opt.load(file);
        assertEquals(4, plain.opt.stepCount(0), "the optimizer alone loads");

        Run third = new Run(Kind.ADAM);
        ((LrScheduler) third.sched).loadStateDict(run.sched.stateDict());
        assertEquals(4, ((LrScheduler) third.sched).stepCount());
        Map<String, String> bad = new LinkedHashMap<>(run.sched.stateDict());
        bad.put("base_lrs", "0.1");
        String groups = message(() -> third.sched.loadStateDict(bad));
        assertTrue(groups.contains("base_lrs: saved 1 groups' rates, the optimizer has 2 groups"), groups);

        ReduceLrOnPlateau plateau = new ReduceLrOnPlateau(run.opt, 0.5, 2, 1e-4, 0, 0);
        plateau.step(1.0);
        plateau.step(2.0);
        ReduceLrOnPlateau copy = new ReduceLrOnPlateau(other.opt, 0.5, 2, 1e-4, 0, 0);
        copy.loadStateDict(plateau.stateDict());
        assertEquals(1.0, copy.best());
        assertEquals(1, copy.badEpochs());
        String kind = message(() -> new ReduceLrOnPlateau(other.opt).loadStateDict(plateau.stateDict()));
        assertTrue(kind.contains("patience=2") && kind.contains("patience=10"), kind);
        String foreign = message(() -> run.opt.save(file, copy));
        assertTrue(foreign.contains("scheduler 0 (ReduceLrOnPlateau) does not drive this optimizer"), foreign);
    }

    @Test
    void neverSteppedStateRoundTrips() throws IOException {
        Sgd sgd = new Sgd(List.of(Tensor.ones(2).requiresGrad(true)), 0.1);
        Path file = dir.resolve("empty.safetensors");
        sgd.save(file);
        Sgd other = new Sgd(List.of(Tensor.ones(2).requiresGrad(true)), 0.3);
        other.load(file);
        assertEquals(0.1, other.learningRate());
    }

    private static String message(ThrowingRunnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }
}
