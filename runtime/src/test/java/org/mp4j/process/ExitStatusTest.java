package org.mp4j.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExitStatusTest {
    @Test
    void aReportedExitCodeIsTakenAsIsEvenWhenItLooksLikeASignal() {
        assertEquals(0, ExitStatus.toExitCode(0, 0));
        assertEquals(143, ExitStatus.toExitCode(143, 143));
        assertEquals(255, ExitStatus.toExitCode(255, 255));
    }

    @Test
    void anUnreportedDeathBySignalBecomesTheNegativeSignalNumber() {
        assertEquals(-15, ExitStatus.toExitCode(null, 128 + 15));
        assertEquals(-9, ExitStatus.toExitCode(null, 128 + 9));
    }

    @Test
    void anUnreportedOrdinaryExitKeepsItsValue() {
        assertEquals(1, ExitStatus.toExitCode(null, 1));
    }

    @Test
    void childrenInheritJvmFlagsButNeverRecordAnAotCacheOrDebug() {
        List<String> parent = List.of("-XX:+UseSerialGC", "-XX:AOTCacheOutput=x.aot", "-XX:AOTConfiguration=x.conf",
            "-XX:AOTMode=create", "-XX:AOTCache=y.aot", "-agentlib:jdwp=transport=dt_socket", "-Dmp4j.child=true",
            "--enable-native-access=ALL-UNNAMED");
        assertEquals(List.of("-XX:+UseSerialGC", "-XX:AOTCache=y.aot", "--enable-native-access=ALL-UNNAMED"),
            ChildLauncher.childJvmArgs(parent));
    }
}
