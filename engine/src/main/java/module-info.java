/**
 * Lanestep: fused SIMD optimizer update kernels over off-heap {@link java.lang.foreign.MemorySegment}s.
 *
 * <p>Start with {@link io.lanestep.Engine}, an optimizer such as {@link io.lanestep.Sgd} and its
 * {@link io.lanestep.OptimizerState}. {@link io.lanestep.pytorch} maps PyTorch optimizer
 * configurations onto the engine's.
 */
module io.lanestep.engine {
    requires jdk.incubator.vector;

    exports io.lanestep;
    exports io.lanestep.pytorch;
}
