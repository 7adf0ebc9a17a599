package dev.fovea.nn.optim;

import java.util.Map;

/**
 * A learning-rate scheduler whose state can be saved, alone ({@link #stateDict()}) or with its
 * optimizer's ({@link Optimizer#save(java.nio.file.Path, Scheduler...)}), so that resumed
 * training follows the same schedule.
 */
public sealed interface Scheduler permits LrScheduler, ReduceLrOnPlateau {
    /** The optimizer whose learning rates this scheduler sets. */
    Optimizer optimizer();

    /**
     * The scheduler's state as strings: {@code kind} (the schedule and its settings, e.g.
     * {@code StepLR(step_size=7, gamma=0.5)}) and its counters, with PyTorch's names where PyTorch
     * has them ({@code last_epoch}, {@code base_lrs}, {@code best}, {@code num_bad_epochs},
     * {@code cooldown_counter}).
     */
    Map<String, String> stateDict();

    /**
     * Restores a state from {@link #stateDict()} of a scheduler of the same kind and settings.
     * The optimizer's learning rates are not touched (they are the optimizer's state), as in PyTorch.
     *
     * @throws IllegalArgumentException listing every problem (another kind or settings, another number
     *                                  of parameter groups, a missing or bad entry) before anything changes
     */
    void loadStateDict(Map<String, String> state);
}
