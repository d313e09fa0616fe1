package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mp4j.engine.EngineKind;

class ChildLauncherTest {
    @Test
    void childrenInheritJvmFlagsButNeverRecordAnAotCacheOrDebug() {
        List<String> parent = List.of("-XX:+UseSerialGC", "-XX:AOTCacheOutput=x.aot", "-XX:AOTConfiguration=x.conf",
            "-XX:AOTMode=create", "-XX:AOTCache=y.aot", "-agentlib:jdwp=transport=dt_socket", "-Dmp4j.child=true",
            "--enable-native-access=ALL-UNNAMED");
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:AOTCache=y.aot", "--enable-native-access=ALL-UNNAMED"),
            ChildLauncher.childJvmArgs(parent, EngineKind.GRAALPY));
    }

    @Test
    void aChildUsesTheAotCacheOfItsOwnEngineWhereTheBuildRecordedOne(@TempDir Path dir) throws IOException {
        Path shared = Files.createFile(dir.resolve("mp4j.aot"));
        List<String> parent = List.of("-XX:+UseSerialGC", "-XX:AOTCache=" + shared);
        assertEquals(parent, ChildLauncher.childJvmArgs(parent, EngineKind.JYTHON),
            "no engine cache recorded: the parent's");
        Path jython = Files.createFile(dir.resolve("mp4j-jython.aot"));
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:AOTCache=" + jython),
            ChildLauncher.childJvmArgs(parent, EngineKind.JYTHON));
        assertEquals(parent, ChildLauncher.childJvmArgs(parent, EngineKind.GRAALPY),
            "a GraalPy child keeps the parent's cache, which holds its engine");
    }
}
