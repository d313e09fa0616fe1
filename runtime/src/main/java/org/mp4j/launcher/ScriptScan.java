package org.mp4j.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a script will start processes, read from its text before it runs: then the
 * launcher boots warm children while it boots itself, and waits for one before the script
 * runs. A script may reach multiprocessing through a module of its own beside it (the shared
 * benchmarks do, through {@code benchcommon}), so the modules it imports from its folder are
 * read too, one level deep.
 *
 * <p>Mentioning multiprocessing is not enough: a manager client that only {@code connect()}s
 * starts no child, and warming two JVMs it never uses cost it a boot's wait and the CPU of
 * three. A script that starts a process names one of {@link #STARTERS}; one the scan misses
 * still runs, its first child boots cold.
 */
final class ScriptScan {
    private static final String MARKER = "multiprocessing";
    /** Words without which no process is started: Process, Pool, Manager(), x.start(), executors. */
    private static final List<String> STARTERS = List.of("Process", "Pool", "Manager()", ".start(", "Executor");
    private static final Pattern IMPORT = Pattern.compile(
        "^\\s*(?:import|from)\\s+([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)", Pattern.MULTILINE);

    private ScriptScan() {
    }

    static boolean startsProcesses(Path script, String source) {
        StringBuilder text = new StringBuilder(source);
        boolean marked = source.contains(MARKER);
        Path folder = script.toAbsolutePath().getParent();
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            for (String name : m.group(1).split("\\s*,\\s*")) {
                String module = read(folder.resolve(name.strip() + ".py"));
                if (module.contains(MARKER)) {
                    marked = true;
                    text.append('\n').append(module);
                }
            }
        }
        return marked && STARTERS.stream().anyMatch(w -> text.indexOf(w) >= 0);
    }

    private static String read(Path module) {
        if (!Files.isRegularFile(module)) {
            return "";
        }
        try {
            return Files.readString(module, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
