package io.lanestep.reference;

import io.lanestep.Optimizer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The reference's optimizer state for one block: a float array per state key and the step count. */
public final class ReferenceState {
    private final Map<String, float[]> slots = new LinkedHashMap<>();
    private final Map<String, Float> scalars = new LinkedHashMap<>();
    private long step;
    private int rows;
    private int cols;
    private int fusedVector = 8;

    /** Fresh state for {@code optimizer} on {@code length} floats, each slot at its initial value. */
    public ReferenceState(Optimizer optimizer, int length) {
        for (String key : optimizer.stateKeys()) {
            float[] slot = new float[length];
            Arrays.fill(slot, optimizer.initialStateValue(key));
            slots.put(key, slot);
        }
        for (String key : optimizer.scalarKeys()) {
            scalars.put(key, optimizer.initialScalarValue(key));
        }
    }

    /** Adafactor's factored state of a {@code rows x cols} matrix: zeroed row and column statistics. */
    public static ReferenceState matrix(io.lanestep.Adafactor optimizer, int rows, int cols) {
        ReferenceState state = new ReferenceState(optimizer, 0);
        state.slots.clear();
        state.slots.put(io.lanestep.Adafactor.ROW_VAR, new float[rows]);
        state.slots.put(io.lanestep.Adafactor.COL_VAR, new float[cols]);
        return state;
    }

    /** Muon's state of a {@code rows x cols} matrix stored row-major. */
    public static ReferenceState muon(io.lanestep.Muon optimizer, int rows, int cols) {
        ReferenceState state = new ReferenceState(optimizer, rows * cols);
        state.rows = rows;
        state.cols = cols;
        return state;
    }

    /** The matrix's rows ({@link #muon}); refused for a flat block. */
    int rows() {
        if (rows == 0) {
            throw new IllegalArgumentException("a Muon reference state needs its shape: make it with ReferenceState.muon");
        }
        return rows;
    }

    int cols() {
        rows();
        return cols;
    }

    /**
     * What an engine made with {@code flushSubnormalState} leaves after a step: every subnormal
     * state value becomes a zero of its sign (scalar state and parameters are not touched).
     */
    public void flushSubnormals() {
        for (float[] slot : slots.values()) {
            for (int i = 0; i < slot.length; i++) {
                if (Math.abs(slot[i]) < Float.MIN_NORMAL) {
                    slot[i] = slot[i] * 0f;
                }
            }
        }
    }

    /** Whether this state holds slot {@code key}. */
    public boolean has(String key) {
        return slots.containsKey(key);
    }

    /** The scalar state {@code key}. */
    public float scalar(String key) {
        Float value = scalars.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no scalar state '" + key + "' in " + scalars.keySet());
        }
        return value;
    }

    void setScalar(String key, float value) {
        scalars.put(key, value);
    }

    /** The array of state slot {@code key}. */
    public float[] slot(String key) {
        float[] slot = slots.get(key);
        if (slot == null) {
            throw new IllegalArgumentException("no state slot '" + key + "' in " + slots.keySet());
        }
        return slot;
    }

    /**
     * The lanes of torch's fused kernels' vectors for this block, whose last {@code n mod lanes}
     * elements run a scalar tail that groups sums differently: 8 ({@code Vectorized<float>}) for
     * float32 parameters, 16 ({@code Vectorized<BFloat16/Half>}) for 16-bit ones.
     */
    public int fusedVector() {
        return fusedVector;
    }

    /** Sets {@link #fusedVector()}: 16 for a block with 16-bit parameters. */
    public void fusedVector(int lanes) {
        fusedVector = lanes;
    }

    /** Steps taken so far. */
    public long step() {
        return step;
    }

    void advance() {
        step++;
    }
}
