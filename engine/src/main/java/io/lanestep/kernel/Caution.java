package io.lanestep.kernel;

import java.util.concurrent.atomic.AtomicLong;

/**
 * timm's caution mask over one tensor ({@code caution=True}): an update coordinate counts only
 * where it agrees in sign with the gradient ({@code u·g > 0}), and the kept ones are scaled by
 * the tensor's share of them, so a step needs the whole tensor's count before its first update.
 * The kernels count in a first pass (ranges on any thread add their counts: integers, so the
 * order does not matter) and apply {@code u·f(1 / max(f(k) / f(n), f(1e-3)))} or {@code u·0} in
 * the second.
 */
final class Caution {
    private final AtomicLong agreeing = new AtomicLong();

    /** Before the counting pass. */
    void restart() {
        agreeing.set(0);
    }

    /** A range's count of agreeing coordinates. */
    void add(long count) {
        agreeing.addAndGet(count);
    }

    /** The factor on the kept coordinates of a tensor of {@code length} elements, as timm computes it in float32. */
    float scale(long length) {
        float mean = (float) agreeing.get() / (float) length;
        return 1f / Math.max(mean, 1e-3f);
    }
}
