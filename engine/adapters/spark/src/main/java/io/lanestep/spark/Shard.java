package io.lanestep.spark;

import java.io.Serializable;

/**
 * One shard between steps: its weights and its optimizer state as a checkpoint stream. Never
 * changed once made: a step makes the next shard from this one, so a retried or speculative task
 * reads the same input again and no state is stepped twice.
 *
 * @param step  the steps its state has taken
 * @param state the pieces' states in Lanestep's checkpoint format, empty before the first step
 */
record Shard(int index, long step, float[] params, byte[] state) implements Serializable {
}
