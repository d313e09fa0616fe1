# Sourced by ./mp4j and ./run-tests: sets JAVA_HOME to a JDK 25 or newer, or exits with a message.
# Order: $JAVA_HOME if it is 25+, then the newest JDK 25+ under /usr/lib/jvm.
mp4j_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}
mp4j_find_jdk() {
    local candidate major
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        major=$(mp4j_java_major "$JAVA_HOME")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            return 0
        fi
    fi
    for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        candidate=${candidate%/}
        [ -x "$candidate/bin/javac" ] || continue
        major=$(mp4j_java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 25 ]; then
            export JAVA_HOME=$candidate
            return 0
        fi
    done
    echo "mp4j: no JDK 25 found: set JAVA_HOME to a JDK 25 or newer, or install one under /usr/lib/jvm (e.g. Temurin 25)" >&2
    exit 3
}
mp4j_find_jdk
