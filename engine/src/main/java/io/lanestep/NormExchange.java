package io.lanestep;

import java.util.List;

/**
 * Completes the norms of the trust-ratio optimizers (LARS, LAMB) when a tensor is cut into pieces
 * held by different ranks (ZeRO-1: states made by {@link Optimizer#newShardState} for less than
 * the whole tensor). Between the step's two passes each rank's exchange is given its pieces and
 * their partial sums of squares; it adds the other ranks' partial sums of the same tensors into
 * them through the caller's own collective (for example an all-gather of {@link SquareSum#toLongs}
 * and {@link SquareSum#add(SquareSum)} of each), and returns. The second pass then takes each
 * tensor's norms from the totals. The sums are exact, so the order of the adds cannot change a
 * bit: pieces cut at multiples of 4096 elements of their tensor step exactly as the whole tensor
 * does, whatever the number of shards.
 *
 * <p>A step given an exchange calls it exactly once, with empty lists on a rank that holds no
 * piece, so every rank can join one collective per step; a step skipped under
 * {@link NonFinite#SKIP} does not call it, so decide on a skip across ranks before stepping. If the
 * exchange throws, the step stops with its pieces half-stepped (LAMB has written its moments); they
 * refuse further steps and saves until restored from a checkpoint.
 */
@FunctionalInterface
public interface NormExchange {
    /**
     * Adds the other ranks' partial sums into this rank's; called on the stepping thread.
     *
     * @param pieces this step's blocks whose states are pieces of LARS or LAMB tensors, in the
     *               step's block order
     * @param sums   two per piece: {@code sums.get(2k)} the squares of {@code pieces.get(k)}'s
     *               parameters, {@code sums.get(2k + 1)} those of its update (LAMB) or its
     *               gradients (LARS); add into them and leave the list as it is
     */
    void exchange(List<Block> pieces, List<SquareSum> sums);
}
