package io.lanestep.spark;

import java.io.Serializable;

/** One data partition's gradient slice for one shard. */
record Contribution(int partition, float[] gradient, double loss) implements Serializable {
}
