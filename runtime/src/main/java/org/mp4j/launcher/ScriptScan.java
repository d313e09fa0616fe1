package org.mp4j.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a script will use multiprocessing, read from its text before it runs: then the
 * launcher boots warm children while it boots itself, and waits for one before the script
 * runs. A script may reach multiprocessing through a module of its own beside it (the shared
 * benchmarks do, through {@code benchcommon}), so the modules it imports from its folder are
 * read too, one level deep.
 */
final class ScriptScan {
    private static final String MARKER = "multiprocessing";
    private static final Pattern IMPORT = Pattern.compile(
        "^\\s*(?:import|from)\\s+([A-Za-z_]\\w*(?:\\s*,\\s*[A-Za-z_]\\w*)*)", Pattern.MULTILINE);

    private ScriptScan() {
    }

    static boolean usesMultiprocessing(Path script, String source) {
        if (source.contains(MARKER)) {
            return true;
        }
        Path folder = script.toAbsolutePath().getParent();
        Matcher m = IMPORT.matcher(source);
        while (m.find()) {
            for (String name : m.group(1).split("\\s*,\\s*")) {
                Path sibling = folder.resolve(name.strip() + ".py");
                if (Files.isRegularFile(sibling) && mentions(sibling)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean mentions(Path module) {
        try {
            return Files.readString(module, StandardCharsets.ISO_8859_1).contains(MARKER);
        } catch (IOException e) {
            return false;
        }
    }
}
