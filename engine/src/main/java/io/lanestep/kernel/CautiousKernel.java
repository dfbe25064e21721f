package io.lanestep.kernel;

import java.lang.foreign.MemorySegment;

/**
 * The kernels with timm's caution mask (see {@link Caution}): with the mask a step makes two
 * passes, {@link #count} (reads only) and {@link #update} with {@link #cautionScale}; without it,
 * {@link #update} alone.
 */
abstract class CautiousKernel extends MomentKernel {
    final Caution caution = new Caution();
    /** The caution mask's factor on the kept coordinates, set between the passes. */
    float cautionScale;

    CautiousKernel(long length, MemorySegment[] slots, float[] scalars) {
        super(length, slots, scalars);
    }

    /** Whether this step applies the mask (set by {@link #prepare}). */
    abstract boolean counting();

    /** The counting pass over elements {@code [from, to)}: adds its range's count to {@link #caution}. */
    abstract void count(long from, long to);

    /** The update over elements {@code [from, to)}. */
    abstract void update(long from, long to);

    @Override
    public final int passes() {
        return counting() ? 2 : 1;
    }

    @Override
    public void beforePass(int pass) {
        if (pass == 0) {
            caution.restart();
        } else {
            cautionScale = caution.scale(length);
        }
    }

    @Override
    public final void run(int pass, long from, long to) {
        if (pass == 0 && counting()) {
            count(from, to);
        } else {
            update(from, to);
        }
    }
}
