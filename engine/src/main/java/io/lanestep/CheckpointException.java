package io.lanestep;

import java.io.IOException;

/** A checkpoint that cannot be restored, and why; the states it was meant for are unchanged. */
public final class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A refusal; {@code message} names what is wrong and the fix. */
    public CheckpointException(String message) {
        super(message);
    }
}
