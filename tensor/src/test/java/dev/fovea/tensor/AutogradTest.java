package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.tensor.autograd.Autograd;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Autograd engine semantics (the gradients of each op are checked in the test module). */
class AutogradTest {
    private static Tensor leaf(float... values) {
        return Tensor.of(values).requiresGrad(true);
    }

    @Test
    void gradientsOfASmallExpression() {
        Tensor a = leaf(1, 2, 3);
        Tensor b = leaf(4, 5, 6);
        Tensor y = a.mul(b).add(a).sum();
        assertTrue(y.requiresGrad());
        assertFalse(y.isLeaf());
        assertEquals("sum", y.gradFn().name());
        assertEquals("add", y.gradFn().next().get(0).name());
        y.backward();
        Ref.assertValues(a.grad(), 5, 6, 7);
        Ref.assertValues(b.grad(), 1, 2, 3);
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = leaf(1, 2);
        x.mul(3f).sum().backward();
        x.mul(x).sum().backward();
        Ref.assertValues(x.grad(), 5, 7);
        x.zeroGrad();
        assertNull(x.grad());
        x.sum().backward();
        Ref.assertValues(x.grad(), 1, 1);
    }

    @Test
    void retainGraphAllowsASecondBackwardAndReleaseForbidsIt() {
        Tensor x = leaf(2);
        Tensor y = x.mul(x).sum();
        y.backward(true);
        y.backward();
        Ref.assertValues(x.grad(), 8);
        assertTrue(y.gradFn().isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("the graph through 'sum' was freed by an earlier backward()"), e.getMessage());
        Tensor z = x.exp();
        z.sum().backward();
        IllegalStateException inner = assertThrows(IllegalStateException.class, () -> z.mul(2f).sum().backward());
        assertTrue(inner.getMessage().contains("'exp'"), inner.getMessage());
    }

    @Test
    void backwardErrors() {
        IllegalStateException noGrad = assertThrows(IllegalStateException.class, () -> Tensor.ones(2).sum().backward());
        assertTrue(noGrad.getMessage().contains("does not require grad"), noGrad.getMessage());
        Tensor x = leaf(1, 2);
        IllegalStateException notScalar = assertThrows(IllegalStateException.class, () -> x.mul(2f).backward());
        assertTrue(notScalar.getMessage().contains("must have one element, but it has shape [2]"), notScalar.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> x.mul(2f).backward(Tensor.ones(3)));
        assertTrue(shape.getMessage().contains("backward: gradient has shape [3] but the tensor has shape [2]"));
        IllegalStateException nonLeaf = assertThrows(IllegalStateException.class, () -> x.mul(2f).requiresGrad(false));
        assertTrue(nonLeaf.getMessage().contains("only leaf tensors"), nonLeaf.getMessage());
    }

    @Test
    void backwardWithAGradientAndFromALeaf() {
        Tensor x = leaf(1, 2, 3);
        x.mul(2f).backward(Tensor.of(new float[] {1, 0, -1}));
        Ref.assertValues(x.grad(), 2, 0, -2);
        Tensor y = leaf(5);
        y.backward();
        Ref.assertValues(y.grad(), 1);
    }

    @Test
    void detachAndGradOffStopRecording() {
        Tensor x = leaf(1, 2);
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.sharesStorageWith(x));
        x.add(d.mul(x.detach())).sum().backward();
        Ref.assertValues(x.grad(), 1, 1);
        try (Grad off = Grad.off()) {
            assertFalse(Grad.isEnabled());
            Tensor y = x.mul(3f);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            try (Grad on = Grad.on()) {
                assertTrue(x.mul(3f).requiresGrad());
            }
            assertFalse(Grad.isEnabled());
        }
        assertTrue(Grad.isEnabled());
    }

    @Test
    void inPlaceChangesOfTrackedTensorsNeedGradOff() {
        Tensor w = leaf(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.addInPlace(Tensor.ones(2), -0.1f));
        assertTrue(e.getMessage().contains("addInPlace: cannot change a tensor that requires grad in place"));
        try (Grad off = Grad.off()) {
            w.addInPlace(Tensor.ones(2), -0.5f);
        }
        Ref.assertValues(w, 0.5f, 1.5f);
    }

    @Test
    void sharedSubexpressionsSumTheirGradients() {
        Tensor x = leaf(3);
        Tensor s = x.mul(x);
        Tensor y = s.add(s.mul(s)).sum();
        y.backward();
        // y = x^2 + x^4, dy/dx = 2x + 4x^3
        Ref.assertValues(x.grad(), 6 + 108);
    }

    @Test
    void deepGraphsDoNotOverflowTheStack() {
        Tensor x = leaf(0.5f);
        Tensor y = x;
        for (int i = 0; i < 50_000; i++) {
            y = y.add(1f);
        }
        y.sum().backward();
        Ref.assertValues(x.grad(), 1);
    }

    @Test
    void customOpsRecordThroughTheExtensionPoint() {
        Tensor x = leaf(2, -1);
        Tensor cube = Autograd.record("cube", x.detach().pow(3f),
                g -> new Tensor[] {g.mul(x.detach().pow(2f).mul(3f))}, x);
        assertEquals("cube", cube.gradFn().name());
        cube.sum().backward();
        Ref.assertValues(x.grad(), 12, 3);
        Tensor constant = Tensor.ones(2);
        Tensor out = Tensor.zeros(2);
        assertSame(out, Autograd.record("noop", out, g -> new Tensor[] {g}, constant));
        assertNull(out.gradFn());
    }

    @Test
    void viewsAndJoinsPassGradientsThrough() {
        Tensor x = Tensor.arange(6).reshape(2, 3).requiresGrad(true);
        Tensor y = Tensor.cat(List.of(x.t().select(0, 1), x.narrow(1, 0, 1).squeeze()), 0);
        y.mul(Tensor.of(new float[] {1, 2, 3, 4})).sum().backward();
        Ref.assertValues(x.grad(), 3, 1, 0, 4, 2, 0);
    }
}
