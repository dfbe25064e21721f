package io.lanestep.dl4j;

import io.lanestep.Format;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The native memory behind DL4J's flat parameter and gradient views, checked before every use. */
final class FlatViews {
    private FlatViews() {
    }

    static long address(INDArray flat, String what) {
        if (flat == null || flat.wasClosed()) {
            throw new IllegalStateException(what + " were closed (net.close()?); train a live network");
        }
        Format format = format(flat, what);
        if (flat.elementWiseStride() != 1) {
            throw new IllegalArgumentException(what + " are not one contiguous range of memory");
        }
        return flat.data().address() + flat.offset() * format.bytes();
    }

    /** How a network's flat view stores its numbers: FLOAT or HALF (DL4J refuses BFLOAT16 networks itself). */
    static Format format(INDArray flat, String what) {
        if (flat.dataType() == DataType.FLOAT) {
            return Format.FP32;
        }
        if (flat.dataType() == DataType.HALF) {
            return Format.FP16;
        }
        throw new IllegalArgumentException(what + " are " + flat.dataType() + "; LanestepTrainer steps FLOAT and"
                + " HALF networks (dataType(DataType.FLOAT) or HALF in the configuration)");
    }

    static void requireSame(INDArray flat, long address, String what) {
        if (flat == null || flat.wasClosed()) {
            throw new IllegalStateException("the network's " + what + " were closed (net.close()?) after this"
                    + " LanestepTrainer was built; nothing was written");
        }
        if (address(flat, "the network's " + what) != address) {
            throw new IllegalStateException("the network's " + what + " moved (net.init() or setParams with a"
                    + " new array?) after this LanestepTrainer was built; build a new trainer");
        }
    }
}
