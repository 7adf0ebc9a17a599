package dev.fovea.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** toString follows torch._tensor_str (precision 4, width 80, 1000-element threshold, 3 edge items). */
class TensorFormatTest {
    @Test
    void integralValuesUseTrailingDot() {
        assertEquals("tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2])",
                Tensor.of(new float[][] {{1, 2}, {3, 4}}).toString());
    }

    @Test
    void fractionalValuesUseFourDecimals() {
        assertEquals("tensor([-1.5000,  2.0000], shape=[2])", Tensor.of(new float[] {-1.5f, 2f}).toString());
        assertEquals("tensor(3.5000, shape=[])", Tensor.scalar(3.5f).toString());
    }

    @Test
    void scientificWhenTheRangeIsWide() {
        assertEquals("tensor([1.0000e-05, 1.0000e+00], shape=[2])", Tensor.of(new float[] {1e-5f, 1f}).toString());
    }

    @Test
    void nonFiniteValues() {
        assertEquals("tensor([1., nan, inf], shape=[3])",
                Tensor.of(new float[] {1f, Float.NaN, Float.POSITIVE_INFINITY}).toString());
    }

    @Test
    void threeDimensionsSeparateBlocksWithBlankLines() {
        assertEquals("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], shape=[2, 2, 2])",
                Tensor.arange(8).reshape(2, 2, 2).toString());
    }

    @Test
    void longRowsWrapAt80Columns() {
        assertEquals("tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n"
                + "        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n"
                + "        28., 29.], shape=[30])", Tensor.arange(30).toString());
    }

    @Test
    void largeTensorsAreElided() {
        assertEquals("tensor([1000., 1001., 1002.,  ..., 2997., 2998., 2999.], shape=[2000])",
                Tensor.arange(1000, 3000, 1).toString());
        String s = Tensor.ones(100, 100).toString();
        assertEquals("tensor([[1., 1., 1.,  ..., 1., 1., 1.],\n        [1., 1., 1.,  ..., 1., 1., 1.],\n"
                + "        [1., 1., 1.,  ..., 1., 1., 1.],\n        ...,\n"
                + "        [1., 1., 1.,  ..., 1., 1., 1.],\n        [1., 1., 1.,  ..., 1., 1., 1.],\n"
                + "        [1., 1., 1.,  ..., 1., 1., 1.]], shape=[100, 100])", s);
    }

    @Test
    void emptyAndAutogradState() {
        assertEquals("tensor([], shape=[0, 3])", Tensor.zeros(0, 3).toString());
        Tensor w = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        assertEquals("tensor([1., 2.], shape=[2], requiresGrad=true)", w.toString());
        assertEquals("tensor(3., shape=[], gradFn=<sum>)", w.sum().toString());
    }

    @Test
    void stridedViewsPrintInLogicalOrder() {
        assertEquals("tensor([[0., 2.],\n        [1., 3.]], shape=[2, 2])", Tensor.arange(4).reshape(2, 2).t().toString());
    }
}
