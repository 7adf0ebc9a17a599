package dev.fovea.nn.optim;

import dev.fovea.tensor.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Parameters that share hyperparameters, as a {@code torch.optim} parameter group: the
 * optimizer's values apply unless the group overrides them. Fine-tuning is the usual case: a small
 * learning rate for a pretrained backbone, a larger one and no weight decay for a new head.
 *
 * <pre>{@code
 * Sgd sgd = Sgd.builder().lr(0.01).momentum(0.9).weightDecay(5e-4)
 *         .group(ParamGroup.of(backbone.parameters()).lr(1e-3))
 *         .group(ParamGroup.of(head.parameters()).weightDecay(0))
 *         .build();
 * }</pre>
 *
 * Immutable: each override returns a new group. Values are range-checked by the optimizer, which
 * also rejects overrides of hyperparameters it does not have.
 *
 * @param params    the parameters, in order (their indices in saved state follow this order)
 * @param overrides the hyperparameters set for this group only
 */
public record ParamGroup(List<Tensor> params, Map<Hyperparameter, Double> overrides) {
    /**
     * Copies both.
     *
     * @throws IllegalArgumentException if {@code params} is null or empty or holds a null, or an
     *                                  override is null or NaN
     */
    public ParamGroup {
        if (params == null || params.isEmpty() || params.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("ParamGroup: params must be a non-empty list without nulls, got "
                    + (params == null ? "null" : params.isEmpty() ? "an empty list" : "a null element"));
        }
        if (overrides == null) {
            throw new IllegalArgumentException("ParamGroup: overrides is null");
        }
        EnumMap<Hyperparameter, Double> copy = new EnumMap<>(Hyperparameter.class);
        overrides.forEach((h, v) -> {
            if (h == null || v == null || v.isNaN()) {
                throw new IllegalArgumentException("ParamGroup: override " + h + " must be a number, got " + v);
            }
            copy.put(h, v);
        });
        params = List.copyOf(params);
        overrides = Collections.unmodifiableMap(copy);
    }

    /** A group of {@code params} with no overrides. */
    public static ParamGroup of(List<Tensor> params) {
        return new ParamGroup(params, Map.of());
    }

    /** A group of {@code params} with no overrides. */
    public static ParamGroup of(Tensor... params) {
        return of(params == null ? null : Arrays.asList(params));
    }

    /** This group with {@code h} set to {@code value}. */
    public ParamGroup with(Hyperparameter h, double value) {
        EnumMap<Hyperparameter, Double> copy = new EnumMap<>(Hyperparameter.class);
        copy.putAll(overrides);
        copy.put(h, value);
        return new ParamGroup(params, copy);
    }

    /** This group with its own learning rate. */
    public ParamGroup lr(double lr) {
        return with(Hyperparameter.LR, lr);
    }

    /** This group with its own weight decay ({@code 0} is the usual choice for biases and norms). */
    public ParamGroup weightDecay(double weightDecay) {
        return with(Hyperparameter.WEIGHT_DECAY, weightDecay);
    }

    /** This group with its own momentum (SGD, RMSprop). */
    public ParamGroup momentum(double momentum) {
        return with(Hyperparameter.MOMENTUM, momentum);
    }

    /** This group with its own dampening (SGD). */
    public ParamGroup dampening(double dampening) {
        return with(Hyperparameter.DAMPENING, dampening);
    }

    /** This group with its own moment decays (Adam). */
    public ParamGroup betas(double beta1, double beta2) {
        return with(Hyperparameter.BETA1, beta1).with(Hyperparameter.BETA2, beta2);
    }

    /** This group with its own eps (Adam, RMSprop, Adagrad). */
    public ParamGroup eps(double eps) {
        return with(Hyperparameter.EPS, eps);
    }

    /** This group with its own smoothing constant (RMSprop). */
    public ParamGroup alpha(double alpha) {
        return with(Hyperparameter.ALPHA, alpha);
    }

    /** This group with its own learning-rate decay (Adagrad). */
    public ParamGroup lrDecay(double lrDecay) {
        return with(Hyperparameter.LR_DECAY, lrDecay);
    }
}
