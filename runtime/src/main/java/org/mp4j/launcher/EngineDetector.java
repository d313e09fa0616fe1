package org.mp4j.launcher;

import java.util.List;
import java.util.regex.Pattern;
import org.mp4j.engine.EngineKind;

/**
 * Chooses the engine for a script from its syntax: a statement that only Python 2 accepts
 * selects Jython, anything else GraalPy. String literals and comments are blanked out first,
 * so text inside them never decides.
 */
public final class EngineDetector {
    private static final List<Pattern> PYTHON2_ONLY = List.of(
        Pattern.compile("^\\s*print\\s*$"),                         // bare print statement
        Pattern.compile("^\\s*print\\s*>>"),                        // print >>f, x
        Pattern.compile("^\\s*print\\s+[^\\s=(.\\[]"),              // print x / print 'x'
        Pattern.compile("^\\s*exec\\s+[^\\s=(]"),                   // exec code
        Pattern.compile("\\bexcept\\s+[\\w.]+\\s*,\\s*\\w+\\s*:"),  // except E, e:
        Pattern.compile("^\\s*raise\\s+[\\w.]+\\s*,"),              // raise E, "msg"
        Pattern.compile("`"),                                       // `repr`
        Pattern.compile("<>"),                                      // not-equal
        Pattern.compile("(?<![\\w.])\\d+[lL]\\b"),                  // 10L
        Pattern.compile("(?<![\\w.])0[0-7]+\\b"));                  // 0777

    private EngineDetector() {
    }

    public static EngineKind detect(String source) {
        for (String line : blankStringsAndComments(source).split("\n")) {
            for (Pattern p : PYTHON2_ONLY) {
                if (p.matcher(line).find()) {
                    return EngineKind.JYTHON;
                }
            }
        }
        return EngineKind.GRAALPY;
    }

    /** The source with the contents of string literals and comments replaced by spaces. */
    static String blankStringsAndComments(String src) {
        StringBuilder out = new StringBuilder(src.length());
        int i = 0;
        int n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (c == '#') {
                while (i < n && src.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\'' || c == '"') {
                String quote = src.startsWith(String.valueOf(c).repeat(3), i) ? String.valueOf(c).repeat(3) : String.valueOf(c);
                out.append(quote);
                i += quote.length();
                while (i < n && !src.startsWith(quote, i)) {
                    char d = src.charAt(i);
                    if (d == '\\' && i + 1 < n) {
                        out.append("  ");
                        i += 2;
                        continue;
                    }
                    if (d == '\n' && quote.length() == 1) {
                        break;   // unterminated single-quoted string: stop at the line end
                    }
                    out.append(d == '\n' ? '\n' : ' ');
                    i++;
                }
                if (i < n && src.startsWith(quote, i)) {
                    out.append(quote);
                    i += quote.length();
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
