package io.lanestep;

import io.lanestep.kernel.Kernels;
import io.lanestep.kernel.ScalarKernels;
import io.lanestep.kernel.VectorKernels128;
import io.lanestep.kernel.VectorKernels256;
import io.lanestep.kernel.VectorKernels512;
import io.lanestep.kernel.VectorKernels64;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * Applies optimizer steps at one lane width. Immutable and thread-safe; the states it steps are
 * not (one thread per state at a time).
 *
 * <p>A step validates every argument first, then makes one fused pass over the block: a refused
 * step leaves parameters and state as they were.
 */
public final class Engine {
    private final LaneWidth width;
    private final Kernels kernels;

    private Engine(LaneWidth width, Kernels kernels) {
        this.width = width;
        this.kernels = kernels;
    }

    /** An engine at the width of the system property {@value LaneWidth#PROPERTY}, by default the CPU's preferred. */
    public static Engine create() {
        return create(LaneWidth.fromSystemProperty());
    }

    /**
     * An engine at {@code width}.
     *
     * @throws IllegalArgumentException if the CPU has no registers that wide
     */
    public static Engine create(LaneWidth width) {
        Objects.requireNonNull(width, "width");
        width.requireSupported(LaneWidth.maxSupportedBits());
        Kernels kernels = switch (width) {
            case SCALAR -> ScalarKernels.INSTANCE;
            case BITS_64 -> VectorKernels64.INSTANCE;
            case BITS_128 -> VectorKernels128.INSTANCE;
            case BITS_256 -> VectorKernels256.INSTANCE;
            case BITS_512 -> VectorKernels512.INSTANCE;
        };
        return new Engine(width, kernels);
    }

    /** The width this engine's kernels run at. */
    public LaneWidth laneWidth() {
        return width;
    }

    /**
     * One optimizer step of one block, in place: updates {@code params} and {@code state} from
     * {@code grads}.
     *
     * @throws IllegalArgumentException on a length mismatch, a state made for another optimizer,
     *                                  read-only params or state, or overlapping segments
     * @throws IllegalStateException    if a segment's arena is closed or confined to another thread
     */
    public void step(Optimizer optimizer, OptimizerState state, MemorySegment params, MemorySegment grads) {
        Objects.requireNonNull(optimizer, "optimizer");
        Checks.block(optimizer, state, params, grads, "");
        Steps.apply(kernels, optimizer, state, params, grads);
    }

    /**
     * One step of every block with the same optimizer configuration; all blocks are validated
     * before any is written. Blocks must not share memory with each other.
     *
     * @throws IllegalArgumentException as {@link #step(Optimizer, OptimizerState, MemorySegment, MemorySegment)},
     *                                  naming the block's index, or if a state appears twice
     */
    public void step(Optimizer optimizer, List<Block> blocks) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(blocks, "blocks");
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            Checks.block(optimizer, b.state(), b.params(), b.grads(), "blocks[" + i + "].");
            for (int j = 0; j < i; j++) {
                if (blocks.get(j).state() == b.state()) {
                    throw new IllegalArgumentException("blocks[" + j + "] and blocks[" + i + "] share one state;"
                            + " give every block its own state so that none is stepped twice");
                }
            }
        }
        for (int i = 0; i < blocks.size(); i++) {
            Block b = blocks.get(i);
            Steps.apply(kernels, optimizer, b.state(), b.params(), b.grads());
        }
    }

    @Override
    public String toString() {
        return "Engine[" + width + "]";
    }
}
