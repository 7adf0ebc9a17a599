package dev.fovea.nn.optim;

/**
 * The numeric hyperparameters an optimizer keeps per parameter group, as the options of a
 * {@code torch.optim} {@code param_group}. Each optimizer has a fixed subset ({@link Sgd}: lr,
 * momentum, dampening, weight decay); a {@link ParamGroup} may override any of them. The
 * {@link #key()} is PyTorch's option name (Adam's {@code betas} pair is split into two), used in
 * saved optimizer state.
 */
public enum Hyperparameter {
    /** The learning rate, {@code lr}. */
    LR("lr"),
    /** L2 penalty or, for AdamW, decoupled decay, {@code weight_decay}. */
    WEIGHT_DECAY("weight_decay"),
    /** Momentum factor, {@code momentum} (SGD, RMSprop). */
    MOMENTUM("momentum"),
    /** Momentum dampening, {@code dampening} (SGD). */
    DAMPENING("dampening"),
    /** First-moment decay, {@code betas[0]} (Adam). */
    BETA1("beta1"),
    /** Second-moment decay, {@code betas[1]} (Adam). */
    BETA2("beta2"),
    /** Denominator term for numerical stability, {@code eps}. */
    EPS("eps"),
    /** Smoothing constant, {@code alpha} (RMSprop). */
    ALPHA("alpha"),
    /** Learning-rate decay, {@code lr_decay} (Adagrad). */
    LR_DECAY("lr_decay"),
    /** Starting value of the sum of squares, {@code initial_accumulator_value} (Adagrad). */
    INITIAL_ACCUMULATOR("initial_accumulator_value");

    private final String key;

    Hyperparameter(String key) {
        this.key = key;
    }

    /** PyTorch's name of the option, e.g. {@code weight_decay}. */
    public String key() {
        return key;
    }

    /** The hyperparameter whose {@link #key()} is {@code key}, or null. */
    static Hyperparameter ofKey(String key) {
        for (Hyperparameter h : values()) {
            if (h.key.equals(key)) {
                return h;
            }
        }
        return null;
    }
}
