// Device memory bandwidth probe: a float4 copy reads and writes every byte once. Its rate is the roofline that
// `webllm bench` compares decode against.
kernel void kernel_copy_float4(global const float4* src, global float4* dst) {
    const ulong i = get_global_id(0);
    dst[i] = src[i];
}
