package org.mp4j.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mp4j.engine.EngineKind;

class EngineDetectorTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "print 'Parent process %s.' % os.getpid()",
        "if x:\n    print\n",
        "print >>sys.stderr, 'x'",
        "try:\n    pass\nexcept ValueError, e:\n    pass",
        "raise ValueError, 'bad'",
        "exec 'x = 1'",
        "x = `y`",
        "if a <> b: pass",
        "n = 10L",
        "os.chmod(p, 0755)",
        "#coding:gbk\nprint 'Put %s to queue...' % value",
    })
    void python2OnlySyntaxSelectsJython(String source) {
        assertEquals(EngineKind.JYTHON, EngineDetector.detect(source));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "print('hello')",
        "print(f'{name}正在运行')",
        "print ('spaced')",
        "x = 'print \"not code\"'",
        "# print 'in a comment'\nprint(1)",
        "s = '''\nprint 'inside a docstring'\n'''",
        "n = 0\nm = 0.5\nk = 0x1F\nj = 100",
        "print = log\nprint.level = 2",
        "exec(code)",
        "def f(a, *, b=1): return a",
    })
    void anythingElseSelectsGraalPy(String source) {
        assertEquals(EngineKind.GRAALPY, EngineDetector.detect(source));
    }
}
