package io.webllm.engine.opencl;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.Platform;

/**
 * Makes LWJGL find the OpenCL ICD loader before its first OpenCL call.
 *
 * <p>LWJGL looks for {@code libOpenCL.so}, which Debian and Ubuntu ship only in the -dev package; the runtime package
 * installs {@code libOpenCL.so.1}. When the plain name cannot be found in the usual library folders, the versioned
 * name is used, so users never have to install development packages or set properties.
 */
final class OpenClLibrary {

    private static final System.Logger LOG = System.getLogger(OpenClLibrary.class.getName());
    private static final List<Path> LIBRARY_DIRS = List.of(
            Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/usr/lib64"),
            Path.of("/usr/lib"), Path.of("/usr/local/lib"));

    private static volatile boolean configured;

    private OpenClLibrary() {
    }

    static synchronized void configure() {
        if (configured) {
            return;
        }
        configured = true;
        if (Platform.get() != Platform.LINUX || Configuration.OPENCL_LIBRARY_NAME.get() != null) {
            return;
        }
        boolean plainNameExists = LIBRARY_DIRS.stream().anyMatch(dir -> Files.exists(dir.resolve("libOpenCL.so")));
        if (!plainNameExists) {
            Configuration.OPENCL_LIBRARY_NAME.set("libOpenCL.so.1");
            LOG.log(Level.DEBUG, "libOpenCL.so not found; loading the OpenCL ICD loader as libOpenCL.so.1");
        }
    }
}
