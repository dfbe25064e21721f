package io.lanestep.spark;

import java.io.Serializable;
import java.util.Iterator;

/**
 * A model's gradient over one partition of its data, run on the executors.
 *
 * @param <T> one example
 */
@FunctionalInterface
public interface GradientFunction<T> extends Serializable {
    /**
     * Adds the gradient of the partition's loss at {@code weights} into {@code gradient} (zero on
     * entry) and returns the loss. It must be deterministic: a retried task recomputes it, and
     * the run equals one process only if both get the same bits.
     */
    double accumulate(float[] weights, Iterator<T> partition, float[] gradient);
}
