package dev.fovea.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.fovea.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Gradients through views: each maps the gradient back to the input's geometry. */
class ViewGradTest {
    private static final Tensor X = Tensor.randn(1, 2, 3, 4);

    private static void check(String name, GradientChecker.Fn fn) {
        GradientChecker.of(name, fn).check(X);
    }

    @Test
    void reshapes() {
        check("view", in -> in[0].view(6, -1));
        check("reshape", in -> in[0].reshape(4, 6));
        check("reshape of a transpose (copies)", in -> in[0].transpose(0, 2).reshape(-1));
        check("flatten", in -> in[0].flatten(1, 2));
        check("squeeze", in -> in[0].unsqueeze(1).unsqueeze(-1).squeeze());
        check("squeeze(dim)", in -> in[0].unsqueeze(0).squeeze(0));
        check("unsqueeze", in -> in[0].unsqueeze(-2));
    }

    @Test
    void permutations() {
        check("permute", in -> in[0].permute(2, 0, 1));
        check("transpose", in -> in[0].transpose(-1, 0));
        check("t", in -> in[0].select(0, 1).t());
        check("contiguous", in -> in[0].permute(1, 2, 0).contiguous());
        check("clone", in -> in[0].clone());
    }

    @Test
    void slicing() {
        check("narrow", in -> in[0].narrow(2, 1, 2));
        check("slice with step", in -> in[0].slice(2, 0, 4, 3));
        check("slice negative start", in -> in[0].slice(1, -2, 3, 1));
        check("select", in -> in[0].select(1, -1));
        check("nested views", in -> in[0].permute(2, 1, 0).slice(0, 1, 4, 2).select(2, 0));
    }

    @Test
    void expandSumsOverBroadcastDims() {
        GradientChecker.of("expand", in -> in[0].expand(2, 3, 4)).check(Tensor.randn(2, 3, 1));
        GradientChecker.of("expand new dims", in -> in[0].expand(5, 3, 4)).check(Tensor.randn(3, 4));
        GradientChecker.of("expand then mul", in -> in[0].unsqueeze(0).expand(4, 3).mul(in[1]))
                .check(Tensor.randn(4, 3), Tensor.randn(5, 4, 3));
    }

    @Test
    void gradientsOfOverlappingViewsAccumulate() {
        Tensor x = Tensor.arange(4).requiresGrad(true);
        x.narrow(0, 0, 3).add(x.narrow(0, 1, 3)).sum().backward();
        assertArrayEquals(new float[] {1, 2, 2, 1}, x.grad().toArray());
        Tensor y = Tensor.arange(3).requiresGrad(true);
        y.detach().mul(2f).add(y).sum().backward();
        assertArrayEquals(new float[] {1, 1, 1}, y.grad().toArray());
    }
}
