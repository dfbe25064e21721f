package io.lanestep;

/** A step refused under {@link NonFinite#THROW}: some gradient was NaN or infinite. Nothing was written. */
public final class NonFiniteGradientException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final int block;
    private final long index;

    NonFiniteGradientException(int block, long index, float value) {
        super((block < 0 ? "grads" : "blocks[" + block + "].grads") + "[" + index + "] is " + value
                + "; nothing was updated. Skip such steps with NonFinite.SKIP, or find where the gradient"
                + " overflowed (loss scaling, learning rate, data)");
        this.block = block;
        this.index = index;
    }

    /** Position of the block in a multi-block step, or -1 for a single-block step. */
    public int block() {
        return block;
    }

    /** Index of the first non-finite gradient in its block. */
    public long index() {
        return index;
    }
}
