import java.util.HashSet;
import java.util.Set;
import sun.jvm.hotspot.HotSpotAgent;
import sun.jvm.hotspot.code.NMethod;
import sun.jvm.hotspot.debugger.Address;
import sun.jvm.hotspot.oops.InstanceKlass;
import sun.jvm.hotspot.oops.Metadata;
import sun.jvm.hotspot.oops.Oop;
import sun.jvm.hotspot.runtime.CompiledVFrame;
import sun.jvm.hotspot.runtime.JavaThread;
import sun.jvm.hotspot.runtime.JavaVFrame;
import sun.jvm.hotspot.runtime.Threads;
import sun.jvm.hotspot.runtime.VM;

/**
 * Names the compiled code that keeps a web application's class loader alive where a heap dump shows no reference:
 * for every compiled frame on a thread's stack (code a full collection treats as a root), the web application class
 * loaders among its compiled method's objects, and the classes of those loaders that the code was compiled against.
 * It pauses the JVM while it reads it (the JDK's serviceability agent, as {@code jhsdb} does). Run with the JDK of
 * the Tomcat, as the user who runs it:
 * <pre>
 * java --add-modules jdk.hotspot.agent \
 *   --add-exports jdk.hotspot.agent/sun.jvm.hotspot=ALL-UNNAMED \
 *   --add-exports jdk.hotspot.agent/sun.jvm.hotspot.code=ALL-UNNAMED \
 *   --add-exports jdk.hotspot.agent/sun.jvm.hotspot.debugger=ALL-UNNAMED \
 *   --add-exports jdk.hotspot.agent/sun.jvm.hotspot.oops=ALL-UNNAMED \
 *   --add-exports jdk.hotspot.agent/sun.jvm.hotspot.runtime=ALL-UNNAMED \
 *   tomcat-config/tools/CompiledCodeLoaders.java TOMCAT_PID
 * </pre>
 */
public class CompiledCodeLoaders {
    public static void main(String[] args) {
        HotSpotAgent agent = new HotSpotAgent();
        agent.attach(Integer.parseInt(args[0]));
        try {
            Set<Address> reported = new HashSet<>();
            Threads threads = VM.getVM().getThreads();
            for (int i = 0; i < threads.getNumberOfThreads(); i++) {
                JavaThread thread = threads.getJavaThreadAt(i);
                for (JavaVFrame frame = thread.getLastJavaVFrameDbg(); frame != null; frame = frame.javaSender()) {
                    if (frame.isCompiledFrame()) {
                        report(thread, ((CompiledVFrame) frame).getCode(), reported);
                    }
                }
            }
        } finally {
            agent.detach();
        }
    }

    private static void report(JavaThread thread, NMethod code, Set<Address> reported) {
        Set<Address> loaders = new HashSet<>();
        for (Address slot = code.oopsBegin(); slot.lessThan(code.oopsEnd());
             slot = slot.addOffsetTo(VM.getVM().getOopSize())) {
            Oop oop = VM.getVM().getObjectHeap().newOop(slot.getOopHandleAt(0));
            if (oop != null && oop.getKlass().getName().asString().contains("WebappClassLoader")) {
                loaders.add(oop.getHandle());
            }
        }
        if (loaders.isEmpty() || !reported.add(code.getAddress())) {
            return;
        }
        System.out.println(thread.getThreadName() + ": compiled " + code.getMethod().externalNameAndSignature()
                + (code.isOSRMethod() ? " (on-stack replacement)" : "") + " holds the class loader(s) " + loaders);
        for (Address slot = code.metadataBegin(); slot.lessThan(code.metadataEnd());
             slot = slot.addOffsetTo(VM.getVM().getAddressSize())) {
            Metadata metadata = Metadata.instantiateWrapperFor(slot.getAddressAt(0));
            if (metadata instanceof InstanceKlass type && type.getClassLoader() != null
                    && loaders.contains(type.getClassLoader().getHandle())) {
                System.out.println("  compiled against " + type.getName().asString().replace('/', '.'));
            }
        }
    }
}
