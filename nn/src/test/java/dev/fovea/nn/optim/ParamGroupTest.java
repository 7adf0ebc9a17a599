package dev.fovea.nn.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Building optimizers from parameter groups: overrides, per-group rates, and what is rejected. */
class ParamGroupTest {
    private final Tensor a = Tensor.ones(2).requiresGrad(true);
    private final Tensor b = Tensor.ones(3, 2).requiresGrad(true);
    private final Tensor c = Tensor.ones(4).requiresGrad(true);

    @Test
    void groupsOverrideTheOptimizersValues() {
        Sgd sgd = Sgd.builder().lr(0.1).momentum(0.9).weightDecay(1e-4)
                .group(ParamGroup.of(a, b)).group(ParamGroup.of(c).lr(0.01).weightDecay(0)).build();
        assertEquals(2, sgd.groups().size());
        assertEquals(List.of(a, b, c), sgd.parameters());
        Optimizer.Group head = sgd.groups().get(1);
        assertEquals(0.01, head.learningRate());
        assertEquals(0.0, head.get(Hyperparameter.WEIGHT_DECAY));
        assertEquals(0.9, head.get(Hyperparameter.MOMENTUM));
        assertEquals(1e-4, sgd.groups().get(0).get(Hyperparameter.WEIGHT_DECAY));
        assertEquals(Map.of(Hyperparameter.LR, 0.01, Hyperparameter.MOMENTUM, 0.9, Hyperparameter.DAMPENING, 0.0,
                Hyperparameter.WEIGHT_DECAY, 0.0), head.hyperparameters());
    }

    @Test
    void eachGroupStepsWithItsOwnRate() {
        Sgd sgd = Sgd.builder().lr(0.5).params(List.of(a)).group(ParamGroup.of(c).lr(0.25)).build();
        a.sum().add(c.sum()).backward();
        sgd.step();
        assertEquals(0.5f, a.toArray()[0]);
        assertEquals(0.75f, c.toArray()[0]);
    }

    @Test
    void learningRateMeansAllGroups() {
        Adam adam = Adam.builder().lr(0.1).group(ParamGroup.of(a)).group(ParamGroup.of(b).lr(0.2)).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, adam::learningRate);
        assertTrue(e.getMessage().contains("[0.1, 0.2]"), e.getMessage());
        adam.learningRate(0.3);
        assertEquals(0.3, adam.learningRate());
        adam.groups().get(0).learningRate(0.05);
        assertEquals(0.05, adam.groups().get(0).learningRate());
        assertEquals(0.3, adam.groups().get(1).learningRate());
    }

    @Test
    void schedulesScaleEachGroupFromItsOwnBase() {
        Adam adam = Adam.builder().lr(0.1).group(ParamGroup.of(a)).group(ParamGroup.of(b).lr(0.02)).build();
        LrScheduler warmup = LrScheduler.linearLr(adam, 0.5, 1.0, 2);
        assertArrayEquals(new double[] {0.05, 0.01}, warmup.lastLrs(), 1e-15);
        warmup.step();
        warmup.step();
        assertArrayEquals(new double[] {0.1, 0.02}, warmup.lastLrs(), 1e-15);
        assertArrayEquals(new double[] {0.1, 0.02}, warmup.baseLrs());
        assertThrows(IllegalStateException.class, warmup::lastLr);
    }

    @Test
    void aParameterInTwoGroupsIsRejected() {
        String msg = message(() -> Sgd.builder().group(ParamGroup.of(a, b)).group(ParamGroup.of(c, b)).build());
        assertTrue(msg.contains("parameter 1 of group 1 (shape [3, 2]) is also parameter 1 of group 0"), msg);
        String twice = message(() -> new Adam(List.of(a, c, a), 0.1));
        assertTrue(twice.contains("parameter 2 of group 0 (shape [2]) is also parameter 0 of group 0"), twice);
    }

    @Test
    void badGroupsAndValuesAreRejected() {
        String foreign = message(() -> Adam.adamWBuilder().group(ParamGroup.of(a).momentum(0.9)).build());
        assertTrue(foreign.contains("AdamW: group 0 sets momentum=0.9, which AdamW does not have"), foreign);
        String lr = message(() -> Sgd.builder().params(List.of(a)).group(ParamGroup.of(c).lr(-1)).build());
        assertTrue(lr.contains("Sgd: group 1: lr must be finite and >= 0, got -1.0"), lr);
        String nesterov = message(() -> Sgd.builder().momentum(0.9).nesterov(true).params(List.of(a))
                .group(ParamGroup.of(c).momentum(0)).build());
        assertTrue(nesterov.contains("group 1: Nesterov momentum needs momentum > 0"), nesterov);
        String beta = message(() -> Adam.builder().betas(0.9, 1.0).params(List.of(a)).build());
        assertTrue(beta.contains("Adam: beta2 must be in [0.0, 0.9999999999999999], got 1.0"), beta);
        String none = message(() -> RmsProp.builder().lr(0.1).build());
        assertTrue(none.contains("RmsProp: needs at least one parameter group"), none);
        message(() -> ParamGroup.of(List.of()));
        message(() -> ParamGroup.of(a).eps(Double.NaN));
        message(() -> Adagrad.builder().group(null));
        String missing = message(() -> Sgd.builder().params(List.of(a)).build().groups().get(0)
                .get(Hyperparameter.BETA1));
        assertTrue(missing.contains("Sgd: no hyperparameter BETA1"), missing);
    }

    private static String message(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }
}
