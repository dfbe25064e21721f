package io.lanestep;

import java.io.Serializable;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * An immutable, validated optimizer configuration: hyperparameters only. Its per-block state
 * (moment buffers, step counter) lives in an {@link OptimizerState} made by {@link #newState}.
 *
 * <p>Hyperparameters may change between steps (a learning-rate schedule makes a new configuration
 * each step): a state accepts any configuration of the same algorithm with the same state
 * layout, see {@link #accepts(OptimizerState)}.
 *
 * <p>Serializable, so that a configuration travels with the work to other processes (a Spark
 * task's closure, say); every implementation is a record of numbers and enums.
 */
public sealed interface Optimizer extends Serializable permits Sgd, HeavyBallMomentum, AveragedMomentum, Rmsprop, Adam, AdamW,
        SignalToNoiseSgd, Adagrad, Adamax, NAdam, RAdam, Rprop, Adadelta, Asgd, Adafactor, Lion, Lars, Lamb,
        Adopt, Adan, AdamWLegacy, LaProp, Mars, Prodigy, Muon, ScheduleFreeAdamW, ScheduleFreeSgd, AdEMAMix, SimplifiedAdEMAMix {

    /**
     * The learning rate a {@link Schedule} scales: {@code lr} for most optimizers, λ_η for the
     * seed's signal-to-noise SGD, the initial step size for Rprop.
     */
    double learningRate();

    /**
     * Which PyTorch's float32 arithmetic this configuration reproduces; Lanestep's own optimizers,
     * which have one arithmetic, report {@link Numerics#TORCH_1_13}.
     */
    default Numerics numerics() {
        return Numerics.TORCH_1_13;
    }

    /** This configuration with another {@link #learningRate()}, everything else equal. */
    Optimizer withLearningRate(double learningRate);

    /** Names of the per-element state slots, in PyTorch's vocabulary where PyTorch has one. */
    List<String> stateKeys();

    /**
     * The value each state slot starts at; zero for every slot unless the algorithm says
     * otherwise.
     */
    default float initialStateValue(String key) {
        return 0f;
    }

    /** Names of per-block scalar state (PyTorch's 0-dim tensors other than {@code step}); usually none. */
    default List<String> scalarKeys() {
        return List.of();
    }

    /** The value each scalar state entry starts at. */
    default float initialScalarValue(String key) {
        return 0f;
    }

    /**
     * Allocates zeroed, 64-byte-aligned state for a block of {@code length} floats in
     * {@code arena}; the state lives as long as the arena.
     */
    default OptimizerState newState(long length, Arena arena) {
        return OptimizerState.allocate(this, length, arena);
    }

    /**
     * Allocates zeroed, 64-byte-aligned state as {@link #newState(long, Arena)} does, for a block
     * whose parameters, gradients and state are stored as {@code formats} says (16-bit formats: the
     * optimizers {@link Formats#supports} names; 16-bit and 8-bit state: those
     * {@link Formats#supportsLowPrecisionState} names).
     *
     * @throws IllegalArgumentException if this optimizer has no kernel for 16-bit operands
     */
    default OptimizerState newState(long length, Arena arena, Formats formats) {
        return OptimizerState.allocate(this, length, arena, formats);
    }

    /**
     * The state of one shard's piece of a tensor (ZeRO-1: a rank steps a slice of the model's
     * flat parameters): {@code length} elements of a tensor of {@code tensorLength}, in the formats
     * the whole tensor's state would get, so that the piece steps as its part of the whole would
     * (8-bit state follows bitsandbytes' small-tensor rule by the tensor's length, not the piece's).
     * Place it at its offset in the model ({@link OptimizerState#placeAt}) before its first step.
     * A piece of a LARS or LAMB tensor steps with a {@link NormExchange}, which completes its trust
     * ratio's norms from the other pieces'; Adafactor refuses pieces (see {@link Adafactor}).
     *
     * @throws IllegalArgumentException if {@code length} is negative or above {@code tensorLength},
     *                                  or as {@link #newState(long, Arena, Formats)}
     */
    default OptimizerState newShardState(long length, long tensorLength, Arena arena, Formats formats) {
        if (length < 0 || tensorLength < length) {
            throw new IllegalArgumentException("a shard's piece of a tensor has 0 to tensorLength elements, got "
                    + length + " of " + tensorLength + "; pass the piece's length and its whole tensor's");
        }
        return OptimizerState.allocate(this, length, arena, formats, tensorLength);
    }

    /**
     * A float32 state over memory the caller owns, zero-copy (another framework's state arrays):
     * one segment of {@code length} floats per {@link #stateKeys()} key, in that order, used as they
     * are. The caller keeps the memory alive and writable while the state is stepped or saved; the
     * step counter and scalar state start at their initial values ({@link OptimizerState#importStep},
     * {@link OptimizerState#importScalar} set them).
     *
     * @throws IllegalArgumentException if a segment is missing, of another size or read-only
     * @throws IllegalStateException    if a segment's arena is closed or confined to another thread
     */
    default OptimizerState stateOver(long length, List<MemorySegment> slots) {
        return OptimizerState.over(this, length, slots);
    }

    /** Whether {@code state} can be stepped with this configuration: same algorithm, same slots. */
    default boolean accepts(OptimizerState state) {
        Optimizer own = state.optimizer();
        return own == this || own.getClass() == getClass() && state.keys().equals(stateKeys());
    }
}
