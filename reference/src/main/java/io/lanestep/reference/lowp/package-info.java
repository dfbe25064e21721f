/**
 * The reference definitions of Lanestep's low-precision formats (the fewer-bytes issue): bf16 and
 * fp16 conversions as PyTorch performs them, deterministic stochastic rounding to bf16 from a
 * counter-based generator, and bitsandbytes' 8-bit dynamic code map with block quantization.
 * Kernels for these formats are defined as equal to these, bit for bit.
 */
package io.lanestep.reference.lowp;
