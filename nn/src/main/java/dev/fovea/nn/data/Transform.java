package dev.fovea.nn.data;

import java.util.random.RandomGenerator;

/**
 * A per-sample transform of a {@link DataLoader}: normalisation, padding, random crops, flips,
 * shifts ({@link Transforms} has them). A transform may change the sample's shape; random ones draw
 * from the generator they are given, which the loader seeds per sample and epoch, so that a run
 * is reproducible whatever thread prepares the batch.
 */
public interface Transform {
    /**
     * The shape of the output for a sample of {@code inputShape} (channels, height, width).
     *
     * @throws IllegalArgumentException if the transform cannot take that shape
     */
    long[] outputShape(long[] inputShape);

    /**
     * Writes the transformed sample to {@code dst} from {@code dstOffset} on, reading the sample of
     * {@code inputShape} at {@code srcOffset} of {@code src}; {@code src} is not modified.
     */
    void apply(float[] src, int srcOffset, long[] inputShape, float[] dst, int dstOffset, RandomGenerator random);
}
