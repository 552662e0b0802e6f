package io.webllm.engine.gguf;

import io.webllm.engine.tensor.GgmlType;
import java.util.Arrays;

/**
 * One entry of the tensor directory.
 *
 * @param dims   dimensions as GGUF stores them, fastest-varying first ({@code dims[0]} is the row length)
 * @param offset byte offset of the data from the start of the file's data section
 */
public record GgufTensorInfo(String name, GgmlType type, long[] dims, long offset) {

    public long elementCount() {
        long count = 1;
        for (long dim : dims) {
            count = Math.multiplyExact(count, dim);
        }
        return count;
    }

    public long byteSize() {
        return type.byteSize(elementCount());
    }

    /** Length of one row: the fastest-varying dimension. */
    public long rowLength() {
        return dims.length == 0 ? 1 : dims[0];
    }

    /** Number of rows: the product of all dimensions but the first. */
    public long rowCount() {
        return elementCount() / rowLength();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GgufTensorInfo that && name.equals(that.name) && type == that.type
                && Arrays.equals(dims, that.dims) && offset == that.offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return "%s %s %s".formatted(name, type, Arrays.toString(dims));
    }
}
