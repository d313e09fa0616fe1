package org.mp4j.process;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One message on the control channel between a parent and one child JVM.
 *
 * <p>The channel is a Unix-domain stream socket the child opens to its parent. It carries only
 * control: the job a child must run and the exit code it finished with. Data between Python
 * processes never passes here.
 *
 * <pre>
 *   0        1                 5                          5+length
 *   +--------+-----------------+--------------------------+
 *   |  type  | length (int32)  | body (length bytes)      |
 *   +--------+-----------------+--------------------------+
 * </pre>
 *
 * <ul>
 *   <li>{@link #HELLO} child → parent, first, as soon as the child JVM runs; body = the launch
 *       token (UTF-8) the parent gave it, so the parent can match the socket to the process.</li>
 *   <li>{@link #READY} child → parent, once the child's engine is warm; empty body.</li>
 *   <li>{@link #STARTED} parent → child, just before each JOB; body = int64, the
 *       {@link MonotonicClock} time of the {@code start()} that took the child: a Ctrl-C that
 *       came after it is its job's, even one that came before the JOB was read, or sent (a
 *       child taken while it boots), see BootSigint; then one byte, 1 if the start method
 *       lets this JVM serve another job after this one (forkserver), else 0.</li>
 *   <li>{@link #JOB} parent → child, once, as soon as the child is taken and has said HELLO
 *       (a child taken while it boots has its job early: it then skips what only a waiting
 *       child does); body = the pickled job the Python side built.</li>
 *   <li>{@link #EXIT} child → parent, just before the child halts; body = int32 exit code. A
 *       child that dies without sending it was killed by a signal.</li>
 *   <li>{@link #DONE} child → parent, instead of EXIT when the JVM serves again: the job's
 *       process has ended with this int32 exit code, and this JVM, with a fresh interpreter,
 *       says READY again and takes the next STARTED and JOB (see ChildMain).</li>
 * </ul>
 *
 * <p>End of stream means the other side is gone: a child treats it as its parent's death and
 * halts at once, which is why no child JVM outlives its parent.
 */
public record ControlMessage(byte type, byte[] body) {
    public static final byte READY = 1;
    public static final byte JOB = 2;
    public static final byte EXIT = 3;
    public static final byte HELLO = 4;
    public static final byte STARTED = 5;
    public static final byte DONE = 6;

    /** Largest body accepted; a job is a pickle of the process object and its arguments. */
    public static final int MAX_BODY = Integer.MAX_VALUE - 16;

    public static ControlMessage exit(int code) {
        return new ControlMessage(EXIT, ByteBuffer.allocate(Integer.BYTES).putInt(code).array());
    }

    public static ControlMessage done(int code) {
        return new ControlMessage(DONE, ByteBuffer.allocate(Integer.BYTES).putInt(code).array());
    }

    public static ControlMessage started(long monotonicNanos, boolean servesAgain) {
        return new ControlMessage(STARTED, ByteBuffer.allocate(Long.BYTES + 1)
            .putLong(monotonicNanos).put((byte) (servesAgain ? 1 : 0)).array());
    }

    public long startedNanos() {
        return ByteBuffer.wrap(body).getLong();
    }

    public boolean startedServesAgain() {
        return body.length > Long.BYTES && body[Long.BYTES] == 1;
    }

    /** The exit code of an EXIT or DONE. */
    public int exitCode() {
        return ByteBuffer.wrap(body).getInt();
    }

    public void writeTo(DataOutputStream out) throws IOException {
        synchronized (out) {
            out.writeByte(type);
            out.writeInt(body.length);
            out.write(body);
            out.flush();
        }
    }

    /** Reads one message, or returns null at a clean end of stream. */
    public static ControlMessage readFrom(DataInputStream in) throws IOException {
        int type = in.read();
        if (type < 0) {
            return null;
        }
        int length = in.readInt();
        if (length < 0 || length > MAX_BODY) {
            throw new IOException("corrupt control message: length " + length);
        }
        byte[] body = new byte[length];
        try {
            in.readFully(body);
        } catch (EOFException e) {
            return null;
        }
        return new ControlMessage((byte) type, body);
    }
}
