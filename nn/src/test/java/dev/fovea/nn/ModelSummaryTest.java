package dev.fovea.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.fovea.nn.zoo.LeNet5;
import dev.fovea.nn.zoo.ResNet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ModelSummary} on LeNet-5 (every row derived by hand) and ResNet-18 (totals against the published figures). */
class ModelSummaryTest {
    @Test
    void leNet5RowsAndTotals() {
        LeNet5 net = new LeNet5();
        ModelSummary s = net.summary(1, 1, 32, 32);
        List<String> names = s.rows().stream().map(r -> r.name() + " " + r.type()).toList();
        assertEquals(List.of("features.0 Conv2d", "features.1 ReLU", "features.2 MaxPool2d", "features.3 Conv2d",
                "features.4 ReLU", "features.5 MaxPool2d", "flatten Flatten", "classifier.0 Linear",
                "classifier.1 ReLU", "classifier.2 Linear", "classifier.3 ReLU", "classifier.4 Linear"), names);
        ModelSummary.Row conv2 = s.rows().get(3);
        assertArrayEquals(new long[] {1, 16, 10, 10}, conv2.outputShape());
        assertEquals(16 * 6 * 25 + 16, conv2.parameters());
        // MACs: every output element of a conv takes inC * kH * kW, of a linear layer in.
        assertEquals(16 * 10 * 10 * 150, conv2.macs());
        long macs = 6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + 120 * 400 + 84 * 120 + 10 * 84;
        assertEquals(macs, s.macs());
        assertEquals(61706, s.parameters());
        assertEquals(61706, s.trainable());
        String table = s.toString();
        assertTrue(table.contains("features.3 (Conv2d)") && table.contains("[1, 16, 10, 10]")
                && table.contains("Total params: 61,706") && table.contains("Total MACs: 416,520"), table);
    }

    /**
     * The 32 x 32 x 3 LeNet-5 table (Ng's deep-learning course): CONV1 f=5 8 filters, POOL1 f=2 s=2,
     * CONV2 f=5 16 filters, POOL2, FC3 120, FC4 84, softmax 10. Shapes and activation sizes are the
     * table's; parameters are (5 * 5 * inC + 1) * filters and (in + 1) * out.
     */
    @Test
    void leNet5ColourTableRows() {
        ModelSummary s = LeNet5.rgb().summary(1, 3, 32, 32);
        long[][] shapes = {{1, 8, 28, 28}, {1, 8, 28, 28}, {1, 8, 14, 14}, {1, 16, 10, 10}, {1, 16, 10, 10},
            {1, 16, 5, 5}, {1, 400}, {1, 120}, {1, 120}, {1, 84}, {1, 84}, {1, 10}};
        long[] activationSizes = {6272, 6272, 1568, 1600, 1600, 400, 400, 120, 120, 84, 84, 10};
        long[] params = {608, 0, 0, 3216, 0, 0, 0, 48120, 0, 10164, 0, 850};
        assertEquals(shapes.length, s.rows().size());
        for (int i = 0; i < shapes.length; i++) {
            ModelSummary.Row row = s.rows().get(i);
            assertArrayEquals(shapes[i], row.outputShape(), row.name());
            assertEquals(activationSizes[i], row.outputElements(), row.name());
            assertEquals(params[i], row.parameters(), row.name());
        }
        assertEquals(62958, s.parameters());
        assertTrue(s.toString().matches("(?s).*features\\.0 \\(Conv2d\\) +\\[1, 8, 28, 28\\] +6,272 +608 +470,400\n.*"),
                s.toString());
    }

    @Test
    void resNet18TotalsAndModesAreKept() {
        ResNet net = ResNet.resnet18();
        net.namedModules().get("layer1").requiresGrad(false);
        float[] runningMean = net.stateDict().get("bn1.running_mean").toArray();
        ModelSummary s = net.summary(1, 3, 224, 224);
        // torchvision's published cost of ResNet-18: 1.81 G multiply-accumulates, 11,689,512 parameters.
        assertTrue(s.macs() > 1.81e9 && s.macs() < 1.82e9, "MACs " + s.macs());
        assertEquals(11689512, s.parameters());
        // layer1: four 64x64x3x3 convolutions and four batch norms of 64 (weight and bias).
        assertEquals(11689512 - 4 * (64 * 64 * 9 + 2 * 64), s.trainable());
        assertArrayEquals(new long[] {1, 1000}, s.rows().getLast().outputShape());
        assertTrue(net.isTraining() && net.namedModules().get("layer1.0.bn1").isTraining(), "modes restored");
        assertArrayEquals(runningMean, net.stateDict().get("bn1.running_mean").toArray(), "statistics untouched");
    }
}
