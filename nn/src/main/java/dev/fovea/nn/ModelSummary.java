package dev.fovea.nn;

import dev.fovea.tensor.Grad;
import dev.fovea.tensor.Shape;
import dev.fovea.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Keras-style summary of a model ({@code model.summary()} in Keras, torchinfo in PyTorch): one
 * row per layer call in execution order (the modules without children), with its path, type,
 * output shape, activation size, own parameters and multiply-accumulates, then the totals:
 * parameters (trainable and frozen), MACs, and the memory of the weights and of the activations.
 * Taken by running the model once on zeros of the given shape, in evaluation mode (so batch norm
 * statistics do not move) and without gradient recording.
 *
 * @param model the model's class name
 * @param inputShape the shape the model ran on
 * @param rows one per layer call
 * @param parameters all parameter elements
 * @param trainable parameter elements that require gradients
 * @param weightBytes bytes of the parameters and buffers (float32)
 */
public record ModelSummary(String model, long[] inputShape, List<Row> rows, long parameters, long trainable,
                           long weightBytes) {
    /**
     * One layer call.
     *
     * @param name the layer's path in the model ({@code layer1.0.conv1})
     * @param type the layer's class (PyTorch's name for activations)
     * @param outputShape the output's shape
     * @param parameters the layer's own parameter elements
     * @param macs multiply-accumulates of the call
     */
    public record Row(String name, String type, long[] outputShape, long parameters, long macs) {
        /** Elements of the output. */
        public long outputElements() {
            long n = 1;
            for (long d : outputShape) {
                n *= d;
            }
            return n;
        }
    }

    /** Runs {@code model} on zeros of {@code inputShape} and summarises it; the model's modes are restored. */
    public static ModelSummary of(Module model, long... inputShape) {
        Map<Module, String> names = new IdentityHashMap<>();
        model.namedModules().forEach((path, m) -> names.put(m, path.isEmpty() ? "(model)" : path));
        Map<Module, Boolean> modes = new IdentityHashMap<>();
        model.namedModules().values().forEach(m -> modes.put(m, m.isTraining()));
        List<Row> rows = new ArrayList<>();
        model.eval();
        try (Grad off = Grad.off()) {
            Module.observe((m, in, out) -> {
                if (m.namedChildren().isEmpty()) {
                    String name = names.getOrDefault(m, "(unregistered)");
                    rows.add(new Row(name, typeName(m), out.shape(), ownParameters(m), m.macs(in, out)));
                }
            }, () -> model.call(Tensor.zeros(inputShape)));
        } finally {
            modes.forEach((m, training) -> m.train(training));
        }
        long weights = model.stateDict().values().stream().mapToLong(Tensor::numel).sum() * Float.BYTES;
        return new ModelSummary(model.getClass().getSimpleName(), inputShape.clone(), List.copyOf(rows),
                model.parameterCount(), model.trainableParameterCount(), weights);
    }

    private static long ownParameters(Module m) {
        return m.namedParameters().values().stream().mapToLong(Tensor::numel).sum();
    }

    private static String typeName(Module m) {
        String s = m.toString();
        return m instanceof Activation ? s.substring(0, s.indexOf('(')) : m.getClass().getSimpleName();
    }

    /** The sum of the rows' multiply-accumulates. */
    public long macs() {
        return rows.stream().mapToLong(Row::macs).sum();
    }

    /** Bytes of every layer output of one forward pass (float32). */
    public long activationBytes() {
        return rows.stream().mapToLong(Row::outputElements).sum() * Float.BYTES;
    }

    /**
     * The table, as Keras prints it, with each layer's activation size (output elements per pass,
     * as in the LeNet-5 table) and MACs added.
     */
    @Override
    public String toString() {
        int nameWidth = Math.max(20, rows.stream().mapToInt(r -> r.name().length() + r.type().length() + 3).max()
                .orElse(0));
        String rule = "-".repeat(nameWidth + 73) + "\n";
        StringBuilder b = new StringBuilder();
        b.append("Model: ").append(model).append(", input ").append(Shape.toString(inputShape)).append('\n');
        b.append(rule);
        b.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %-22s %15s %14s %16s%n", "Layer (type)",
                "Output shape", "Activation size", "Param #", "MACs"));
        b.append(rule.replace('-', '='));
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-" + nameWidth + "s %-22s %,15d %,14d %,16d%n",
                    r.name() + " (" + r.type() + ")", Shape.toString(r.outputShape()), r.outputElements(),
                    r.parameters(), r.macs()));
        }
        b.append(rule.replace('-', '='));
        b.append(String.format(Locale.ROOT, "Total params: %,d (%s)%n", parameters, bytes(parameters * 4)));
        b.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainable));
        b.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", parameters - trainable));
        b.append(String.format(Locale.ROOT, "Total MACs: %,d (%s)%n", macs(),
                macs() >= 1e9 ? String.format(Locale.ROOT, "%.2f G", macs() / 1e9)
                        : String.format(Locale.ROOT, "%.2f M", macs() / 1e6)));
        b.append(String.format(Locale.ROOT, "Weights and buffers: %s; activations of one pass: %s%n",
                bytes(weightBytes), bytes(activationBytes())));
        return b.toString();
    }

    private static String bytes(long n) {
        if (n >= 1 << 20) {
            return String.format(Locale.ROOT, "%.2f MB", n / (double) (1 << 20));
        }
        return n >= 1 << 10 ? String.format(Locale.ROOT, "%.1f KB", n / 1024.0) : n + " B";
    }
}
