package dev.fovea.nn.data;

/**
 * Which half of a dataset published as a training set and a test set (MNIST and its relatives,
 * CIFAR-10, CIFAR-100): the loaders map it to their file names.
 */
public enum Split {
    /** The training images (MNIST: 60,000; CIFAR: 50,000). */
    TRAIN,
    /** The test images (MNIST and CIFAR: 10,000). */
    TEST
}
