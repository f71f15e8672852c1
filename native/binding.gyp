{
  "targets": [
    {
      # Files compiled with AVX2+FMA; only called after a run-time CPU check.
      "target_name": "convkit_avx2",
      "type": "static_library",
      "sources": ["src/gemm/ukernel_6x16_avx2.cc", "src/gemm/igemm_6x16_avx2.cc", "src/gemm/ukernel_strided_6x16_avx2.cc", "src/kernels/gelu_avx2.cc", "src/kernels/dropout_mask_avx2.cc",
                  "src/kernels/winograd_transforms_avx2.cc", "src/kernels/gradient_panels_avx2.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fPIC", "-mavx2", "-mfma", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"]
    },
    {
      # Files compiled with AVX-512; only called after a run-time CPU check.
      "target_name": "convkit_avx512",
      "type": "static_library",
      "sources": ["src/gemm/ukernel_6x16_avx512.cc", "src/gemm/igemm_6x16_avx512.cc",
                  "src/gemm/ukernel_strided_6x16_avx512.cc", "src/gemm/ukernel_6x32_avx512.cc",
                  "src/gemm/igemm_6x32_avx512.cc", "src/gemm/ukernel_strided_6x32_avx512.cc", "src/kernels/winograd_transforms_avx512.cc"],
      "cflags_cc": ["-O3", "-std=c++17", "-fPIC", "-mavx512f", "-mavx2", "-mfma", "-fno-math-errno",
                    "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"]
    },
    {
      "target_name": "convkit_native",
      "dependencies": ["convkit_avx2", "convkit_avx512"],
      "sources": [
        "src/binding.cc",
        "src/runtime/thread_pool.cc",
        "src/runtime/cpu_features.cc",
        "src/runtime/scratch.cc",
        "src/gemm/config.cc",
        "src/gemm/operand.cc",
        "src/gemm/gemm.cc",
        "src/gemm/ukernel_6x16_ref.cc",
        "src/gemm/igemm_6x16_ref.cc",
        "src/gemm/ukernel_strided_6x16_ref.cc",
        "src/kernels/conv_indirect.cc",
        "src/kernels/conv_patches.cc",
        "src/kernels/conv2d.cc",
        "src/kernels/conv2d_backprop_input.cc",
        "src/kernels/conv2d_backprop_filter.cc",
        "src/kernels/conv2d_backprop_filter_rows.cc",
        "src/kernels/conv2d_filter_bias_grad.cc",
        "src/kernels/winograd_tiles.cc",
        "src/kernels/winograd_transforms.cc",
        "src/kernels/winograd_conv.cc",
        "src/kernels/winograd_backprop_filter.cc",
        "src/kernels/matmul.cc",
        "src/kernels/max_pool.cc",
        "src/kernels/max_pool_grad.cc",
        "src/kernels/max_pool_grad_argmax.cc",
        "src/kernels/avg_pool.cc",
        "src/kernels/avg_pool_grad.cc",
        "src/kernels/unary.cc",
        "src/kernels/binary.cc",
        "src/kernels/reduce.cc",
        "src/kernels/softmax.cc",
        "src/kernels/batch_norm.cc",
        "src/kernels/transpose.cc",
        "src/kernels/gather_rows.cc",
        "src/kernels/dropout_mask.cc",
        "src/kernels/adam_update.cc",
        "src/kernels/sgd_update.cc",
        "src/kernels/batch_norm_training.cc",
        "src/kernels/batch_norm_training_grad.cc",
        "src/kernels/gelu.cc",
        "src/kernels/gelu_grad.cc",
        "src/kernels/categorical_crossentropy.cc",
        "src/kernels/relu_grad_bias.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      # -fno-trapping-math: nothing reads floating-point exception flags, and without it GCC
      # will not turn a select with arithmetic in it (ReluGrad's dy * 0, Maximum's NaN rule)
      # into vector code: ReluGrad ran scalar with a mispredict per sign, 15x slower than Mul.
      "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-trapping-math"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags!": ["-fno-exceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}
