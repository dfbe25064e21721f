package io.lanestep;

import java.util.List;
import java.util.Objects;

/**
 * Blocks that share one optimizer configuration, PyTorch's parameter group: for example the
 * weights with weight decay and the biases without, stepped together by
 * {@link Engine#step(List, NonFinite)}.
 *
 * @param optimizer the group's configuration
 * @param blocks    the group's blocks
 * @param ema       the moving average every block's {@link Block#ema} follows; null for none
 */
public record Group(Optimizer optimizer, List<Block> blocks, WeightEma ema) {
    /** Rejects null optimizer and blocks; the list is not copied, so a model can reuse it every step without allocating. */
    public Group {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(blocks, "blocks");
    }

    /** A group without a moving average. */
    public Group(Optimizer optimizer, List<Block> blocks) {
        this(optimizer, blocks, null);
    }

    /** This group with every block's {@link Block#ema} moved by {@code ema} in the step's own pass. */
    public Group withEma(WeightEma ema) {
        return new Group(optimizer, blocks, Objects.requireNonNull(ema, "ema"));
    }
}
