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
 */
public record Group(Optimizer optimizer, List<Block> blocks) {
    /** Rejects nulls; the list is not copied, so a model can reuse it every step without allocating. */
    public Group {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(blocks, "blocks");
    }
}
