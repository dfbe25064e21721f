package io.lanestep.spark;

import java.io.Serializable;

/**
 * A shard's slice of the step's gradient, summed over the data partitions in partition order.
 *
 * @param loss    the partitions' losses, on shard 0 only (0 elsewhere)
 * @param squares the slice's squared-gradient sum ({@code SquareSum.toLongs}), null without clipping
 */
record Summed(float[] gradient, double loss, long[] squares) implements Serializable {
}
