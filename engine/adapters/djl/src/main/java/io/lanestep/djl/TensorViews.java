package io.lanestep.djl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.lanestep.Format;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/** Zero-copy views of DJL tensors, refused where DJL would hand out a copy instead. */
final class TensorViews {
    private TensorViews() {
    }

    static void requireOpen(String parameterId, String name, NDArray array) {
        if (array == null) {
            throw new IllegalArgumentException("parameter " + parameterId + ": " + name + " is null");
        }
        if (array.isReleased()) {
            throw new IllegalStateException("parameter " + parameterId + ": " + name + " was closed (its model,"
                    + " trainer or NDManager closed?); step only tensors of a live model");
        }
    }

    /** A tensor's memory and how it stores its numbers. */
    record View(MemorySegment segment, Format format) {
        long elements() {
            return segment.byteSize() / format.bytes();
        }
    }

    /** The Lanestep format of a tensor's data type: float32, bfloat16 or float16; others are refused. */
    private static Format format(String parameterId, String name, NDArray array) {
        DataType type = array.getDataType();
        if (type == DataType.FLOAT32) {
            return Format.FP32;
        }
        if (type == DataType.BFLOAT16) {
            return Format.BF16;
        }
        if (type == DataType.FLOAT16) {
            return Format.FP16;
        }
        throw new IllegalArgumentException("parameter " + parameterId + ": " + name + " is " + type
                + "; Lanestep's DJL optimizer steps float32, bfloat16 and float16 tensors (cast it to one)");
    }

    /**
     * The tensor's own memory. DJL returns a contiguous
     * copy for a non-contiguous CPU tensor and a host copy for another device; writes to those
     * would be lost, so both are refused: two views of the same storage have the same address, two
     * copies do not ({@code verify}: ask twice).
     */
    static View of(String parameterId, String name, NDArray array, boolean verify) {
        requireOpen(parameterId, name, array);
        Format format = format(parameterId, name, array);
        if (!array.getDevice().equals(Device.cpu())) {
            throw new IllegalArgumentException("parameter " + parameterId + ": " + name + " is on "
                    + array.getDevice() + "; Lanestep steps CPU tensors, train on Device.cpu()");
        }
        ByteBuffer buffer = array.toByteBuffer(true);
        MemorySegment view = MemorySegment.ofBuffer(buffer);
        if (!buffer.isDirect() || view.byteSize() != array.size() * format.bytes()
                || verify && MemorySegment.ofBuffer(array.toByteBuffer(true)).address() != view.address()) {
            throw new IllegalArgumentException("parameter " + parameterId + ": " + name + " is not a contiguous"
                    + " dense tensor, so DJL can only hand out a copy of it; make it contiguous first");
        }
        return new View(view, format);
    }
}
