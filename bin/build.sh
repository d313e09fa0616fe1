# Sourced by ./mp4j and ./run-tests after bin/jdk.sh: builds the runtime when its sources are
# newer than the jar, and records the JDK AOT cache when it is older than the jar. One build
# at a time (flock), so that parallel callers wait for one another instead of racing.
MP4J_JAR="$MP4J_HOME/runtime/target/mp4j-runtime.jar"
MP4J_AOT="$MP4J_HOME/runtime/target/mp4j.aot"
MP4J_AOT_JYTHON="$MP4J_HOME/runtime/target/mp4j-jython.aot"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

mp4j_classpath() {
    local cp="$MP4J_JAR" jar
    for jar in $(ls "$MP4J_HOME/runtime/target/lib/"*.jar | LC_ALL=C sort); do
        cp="$cp:$jar"
    done
    printf '%s' "$cp"
}

mp4j_stale() {
    [ -f "$MP4J_JAR" ] || return 0
    [ -n "$(find "$MP4J_HOME/runtime/src/main" "$MP4J_HOME/runtime/pom.xml" "$MP4J_HOME/pom.xml" \
        "$MP4J_HOME/bin/build.sh" \
        -newer "$MP4J_JAR" -print -quit 2>/dev/null)" ]
}

# Maven from the system's packages if it is missing (a fresh machine): both ./mp4j and
# ./run-tests build with it.
mp4j_need_maven() {
    command -v mvn >/dev/null 2>&1 && return 0
    echo "mp4j: Maven is missing; installing it (apt-get) ..." >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    { $sudo apt-get update -qq && $sudo apt-get install -y -qq maven >/dev/null; } \
        || { echo "mp4j: could not install Maven; install it (e.g. apt-get install maven) and retry" >&2; exit 3; }
}

# mvn -B -q, its output on stderr: Maven 3.8's -q still prints a bare colour reset (ESC[0m) for
# each module, which is dropped; mvn's exit status is kept.
mp4j_quiet_mvn() {
    mvn -B -q "$@" 2>&1 | sed 's/\x1b\[0m//g' >&2
    return "${PIPESTATUS[0]}"
}

mp4j_build() {
    mp4j_need_maven
    mkdir -p "$MP4J_HOME/runtime/target"
    (
        flock 9
        if mp4j_stale; then
            echo "mp4j: building the runtime (first use or changed sources) ..." >&2
            (cd "$MP4J_HOME" && mp4j_quiet_mvn -pl runtime -am -DskipTests package) || exit 1
            # Maven leaves the jar alone when no class changed (a flag or pom edit): mark it
            # rebuilt, or every run would build again, and record the AOT cache anew below.
            touch "$MP4J_JAR"
        fi
        mp4j_record_aot "$MP4J_AOT"
        mp4j_record_aot "$MP4J_AOT_JYTHON" jython
    ) 9>"$MP4J_HOME/runtime/target/.build.lock"
}

# mp4j_record_aot CACHE [ENGINE]: records CACHE when it is missing or older than the jar, from
# a training run of both engines or of ENGINE alone. A JVM loads every class of its cache at
# start-up: roots and GraalPy children use the cache of both engines (the root does not know
# its engine until it has read the script); Jython children use mp4j-jython.aot (see
# ChildLauncher), without GraalPy's ~17 000 classes: 0.25 s faster to boot and 100 MB
# smaller. A GraalPy-only cache would save its children only ~0.03 s and 25 MB, not worth
# another 16 s of build.
mp4j_record_aot() {
    local cache=$1 engine=${2:-} log=$1.log
    if [ ! -f "$cache" ] || [ "$MP4J_JAR" -nt "$cache" ]; then
        echo "mp4j: recording the JDK AOT cache${engine:+ for $engine children} for fast start-up ..." >&2
        rm -f "$cache"
        "$JAVA_HOME/bin/java" $MP4J_JVM_FLAGS -XX:AOTCacheOutput="$cache" \
            -cp "$(mp4j_classpath)" org.mp4j.launcher.Main \
            --aot-train "$MP4J_HOME/runtime/src/aot/train.py" $engine >/dev/null 2>"$log" \
            || { echo "mp4j: AOT training failed (see ${log#$MP4J_HOME/}); running without that cache" >&2; rm -f "$cache"; }
    fi
}

# Flags of every mp4j JVM (children inherit them): FFM and the native POSIX backend need native
# access; the serial GC keeps small JVMs small on a small machine; no perf-data file in /tmp
# (a child ends with _exit, which would leave its file behind). C1 alone would get a 48 MB code
# cache, whose GC threshold GraalPy's start-up crosses: a full collection in every JVM's boot
# (0.14-0.37 s); 240 MB (the tiered default, reserved, not committed) has none.
MP4J_JVM_FLAGS="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m -XX:-UsePerfData"

# MP4J_JIT=1: GraalPy with its JIT (the Graal compiler through JVMCI, with Truffle's compiler
# and runtime on the module path). Start-up is slower and the AOT cache does not apply, but
# long-running Python code runs several times faster (see README, "Speed").
mp4j_jit_flags() {
    local lib="$MP4J_HOME/runtime/target/lib" v mp="" m
    v=$(ls "$MP4J_HOME/runtime/target/jit/" | sed -n 's/^compiler-\(.*\)\.jar$/\1/p' | head -n 1)
    for m in truffle-compiler collections word nativeimage polyglot truffle-api jniutils truffle-runtime; do
        mp="$mp${mp:+:}$lib/$m-$v.jar"
    done
    printf '%s' "-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI \
--upgrade-module-path=$MP4J_HOME/runtime/target/jit/compiler-$v.jar --module-path=$mp \
--add-modules=org.graalvm.truffle.compiler,org.graalvm.truffle.runtime \
--enable-native-access=org.graalvm.truffle,org.graalvm.truffle.runtime"
}
